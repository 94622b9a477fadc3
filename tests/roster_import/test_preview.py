"""The preview classifies every row of a roster file (by hand count on a small file) and lists the people the
file leaves out; bad files are refused whole with a message."""

from __future__ import annotations

from models import RosterRowKind
from services import roster_import
from services.roster_import_csv import FileRefusal, read_roster
from tests.roster_import.files import MIXED
from tests.roster_import.support import HEADER, csv_file, load, prepare_roster, rows_by_line, stage


async def test_preview_classifies_each_row_as_new_update_unchanged_or_problem(session_factory, demo_org):
    await prepare_roster(session_factory, demo_org)

    import_id = await stage(session_factory, demo_org, MIXED)

    staged = await load(session_factory, import_id)
    assert (staged.total_rows, staged.new_rows, staged.update_rows, staged.unchanged_rows, staged.error_rows) == (
        10, 2, 1, 1, 6)
    rows = await rows_by_line(session_factory, import_id)
    assert {line: row.kind for line, row in rows.items()} == {
        2: RosterRowKind.UPDATE, 3: RosterRowKind.NEW, 4: RosterRowKind.NEW, 5: RosterRowKind.PROBLEM,
        6: RosterRowKind.PROBLEM, 7: RosterRowKind.PROBLEM, 8: RosterRowKind.PROBLEM, 9: RosterRowKind.PROBLEM,
        10: RosterRowKind.PROBLEM, 11: RosterRowKind.UNCHANGED}
    assert rows[2].person_id == demo_org.officer1 and rows[11].person_id == demo_org.sgt1
    assert rows[2].changes == [["Hire date", "—", "2019-06-01"]]


async def test_preview_names_every_problem_in_words(session_factory, demo_org):
    await prepare_roster(session_factory, demo_org)

    rows = await rows_by_line(session_factory, await stage(session_factory, demo_org, MIXED))

    assert rows[5].errors == ["Unknown unit “Narcotics”: add it on the roster's units page, or use an existing unit."]
    assert rows[6].errors[0].startswith("Unknown rank “Commander”: use one of the agency's ranks (Chief, Lieutenant")
    assert rows[7].errors == ["Hire date: write the date as YYYY-MM-DD or MM/DD/YYYY (not “2025-13-45”)."]
    assert rows[8].errors == ["Badge number B200 is also on line 3 of this file."]
    assert rows[9].errors == [
        "Licence number MN-0001 is also on line 2 of this file.",
        "The licence number is Olly Officer (badge B104)'s but the badge number is Omar Other (badge B105)'s: "
        "they are two different people."]
    assert rows[10].errors == ["Supervisor badge number B999: nobody with this badge is on the roster or earlier "
                               "in the file."]
    assert rows[3].values is not None and rows[3].values["employment_type"] == "part_time"
    assert rows[3].values["license_date"] == "2024-07-01" and rows[3].values["rank"] == "Officer"


async def test_people_missing_from_the_file_are_listed_not_touched(session_factory, demo_org):
    await prepare_roster(session_factory, demo_org)
    import_id = await stage(session_factory, demo_org, MIXED)

    async with session_factory() as session:
        missing = await roster_import.missing_people(session, await load(session_factory, import_id), 1)

    # Eight people; the file names officer1 (lines 2 and 9) and sgt1 (line 11).
    assert sorted(person.id for person in missing.rows) == sorted(
        [demo_org.chief1, demo_org.lt1, demo_org.sgt2, demo_org.officer2, demo_org.coord1, demo_org.admin1])
    assert all(person.employment_status == "active" for person in missing.rows)


async def test_other_agencies_licence_and_a_separated_person_are_problems(session_factory, demo_org):
    from tests.services.import_support import other_agency_officer

    await prepare_roster(session_factory, demo_org)
    await other_agency_officer(session_factory, "MN-7777")
    async with session_factory() as session, session.begin():
        from models import Person

        officer2 = await session.get_one(Person, demo_org.officer2)
        officer2.employment_status = "separated"
    rows = await rows_by_line(session_factory, await stage(session_factory, demo_org, csv_file(
        "Far,Away,B300,MN-7777,2020-01-01,Officer,Patrol A,,fa@test.example,full-time,2020-01-01",
        "Other,Omar,B105,,,Officer,Patrol B,B103,officer2@test.example,full-time,2020-01-01",
    )))

    assert rows[2].errors == ["Licence number MN-7777 is on another agency's roster."]
    assert rows[3].errors == ["Omar Other (badge B105) separated: re-hire them on their roster page first."]


def test_header_names_are_matched_ignoring_case_and_spaces():
    header = ("Last Name;FIRST NAME;Badge No;Licence Number;Licence Date;Rank;Unit Path;Supervisor Badge;E-mail;"
              "Employment Type;Date Hired;Shoe size")
    parsed = read_roster(csv_file("A;B;B1;;;Officer;Patrol A;;a@b.example;PT;1/2/2024;44", header=header))

    assert not isinstance(parsed, FileRefusal), parsed
    assert parsed.ignored_columns == ["Shoe size"]
    assert parsed.rows[0].values["hired_on"] == "2024-01-02" and parsed.rows[0].values["employment_type"] == "part_time"


def test_bad_files_are_refused_with_a_message():
    assert read_roster(b"%PDF-1.7 binary") == FileRefusal(
        "This is a PDF. Export the records as a CSV file and upload that.")
    assert read_roster(b"\x00\x01\x02garbage") == FileRefusal(
        "This is not a CSV text file. Export the records as CSV (UTF-8) and upload that.")
    wrong = read_roster(b"name,course,hours\nA,B,3\n")
    assert isinstance(wrong, FileRefusal) and wrong.message.startswith(
        "The first line must name the columns; missing: Last name, First name, Badge number, Rank, Unit")
    line = "A,B,B1,,,Officer,Patrol A,,a@b.example,FT,2024-01-02"
    assert read_roster(csv_file(line, line, line), max_rows=2) == FileRefusal(
        "The file has more than 2 people. Split it into smaller files.")
    assert read_roster(csv_file()) == FileRefusal("The file has a header line but no people.")
    assert HEADER.startswith("last_name")
