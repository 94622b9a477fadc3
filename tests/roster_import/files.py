"""The small roster file the tests count by hand: 2 new, 1 update, 1 unchanged, 6 problems."""

from __future__ import annotations

from tests.roster_import.support import csv_file

MIXED = csv_file(
    "Officer,Olly,B104,MN-0001,2020-01-15,Officer,Patrol A,B102,officer1@test.example,full-time,2019-06-01",  # 2 update
    "Newman,Nina,B200,MN-0200,07/01/2024,officer,Department/Patrol B,B103,nina@test.example,Part-time,07/01/2024",
    "Rookie,Ray,B201,,,Officer,Patrol B,B200,ray@test.example,FT,2025-01-02",  # 4 new, supervisor on line 3
    "Bad,Unit,B202,,,Officer,Narcotics,B102,bu@test.example,full-time,2025-01-02",  # 5 unknown unit
    "Bad,Rank,B203,,,Commander,Patrol A,B102,br@test.example,full-time,2025-01-02",  # 6 unknown rank
    "Bad,Date,B204,,,Officer,Patrol A,B102,bd@test.example,full-time,2025-13-45",  # 7 bad date
    "Dup,Badge,B200,,,Officer,Patrol A,B102,db@test.example,full-time,2025-01-02",  # 8 badge of line 3
    "Cross,Over,B105,MN-0001,2020-01-15,Officer,Patrol B,B103,x@test.example,full-time,2020-01-01",  # 9 two people
    "No,Boss,B205,,,Officer,Patrol A,B999,nb@test.example,full-time,2025-01-02",  # 10 supervisor not found
    "Sergeant,Sam,B102,,,Sergeant,Department/Patrol A,B101,sgt1@test.example,full-time,03/01/2015",  # 11 unchanged
)
