"""Muster's compliance engine: state rule packs as data, and one pure function that measures an officer.

    pack = load_pack("MN-POST")
    status = evaluate(pack, officer, records, waivers, on=date.today())

No database and no I/O beyond reading the rule-pack files; callers load officers and records and hand
them in as the dataclasses below.
"""

from compliance.engine import AT_RISK_DAYS, ComplianceState, ComplianceStatus, RequirementStatus, evaluate
from compliance.examples import WorkedExample
from compliance.packs import RulePackError, available_packs, load_pack, load_pack_file
from compliance.records import CreditRecord, InvalidRecord, OfficerProfile, Waiver, record_problem
from compliance.rules import CycleRule, PeriodRule, ProrationRule, Requirement, RulePack

__all__ = [
    "AT_RISK_DAYS",
    "ComplianceState",
    "ComplianceStatus",
    "CreditRecord",
    "CycleRule",
    "InvalidRecord",
    "OfficerProfile",
    "PeriodRule",
    "ProrationRule",
    "Requirement",
    "RequirementStatus",
    "RulePack",
    "RulePackError",
    "Waiver",
    "WorkedExample",
    "available_packs",
    "evaluate",
    "load_pack",
    "load_pack_file",
    "record_problem",
]
