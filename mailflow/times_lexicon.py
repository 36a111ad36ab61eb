"""Word tables for reading times in text (English). Grammar lives in times.py.

Another language is added by giving a second set of these tables; nothing here is code that
decides anything, only what words mean.
"""

from __future__ import annotations

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}

# Month words that are also ordinary English words: only a date when digits stand next to them.
WEAK_MONTHS = frozenset({"may", "mar", "march", "jun", "jan", "dec", "sep", "oct", "aug", "apr"})

WEEKDAYS: dict[str, int] = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "tu": 1, "wednesday": 2, "wed": 2,
    "weds": 2, "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "th": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}
# Weekday abbreviations that are English words ("sun", "sat", "wed"): need a date neighbour,
# a capital letter or a dot to count.
WEAK_WEEKDAYS = frozenset({"sun", "sat", "wed", "tu", "th", "mon", "tue"})

NUMBERS: dict[str, int] = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
}
# Counts in relative expressions ("in a couple of weeks").
COUNTS: dict[str, int] = {"a": 1, "an": 1, "one": 1, "a couple of": 2, "couple of": 2,
                          "a couple": 2, "a few": 3, "few": 3, "several": 3}

ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "twenty-first": 21, "twenty first": 21,
    "twenty-second": 22, "twenty second": 22, "twenty-third": 23, "twenty third": 23,
    "twenty-fourth": 24, "twenty fourth": 24, "twenty-fifth": 25, "twenty fifth": 25,
    "twenty-sixth": 26, "twenty sixth": 26, "twenty-seventh": 27, "twenty seventh": 27,
    "twenty-eighth": 28, "twenty eighth": 28, "twenty-ninth": 29, "twenty ninth": 29,
    "thirtieth": 30, "thirty-first": 31, "thirty first": 31,
}

# unit word -> (canonical unit, multiplier)
UNITS: dict[str, tuple[str, int]] = {
    "second": ("second", 1), "seconds": ("second", 1), "sec": ("second", 1), "secs": ("second", 1),
    "minute": ("minute", 1), "minutes": ("minute", 1), "min": ("minute", 1), "mins": ("minute", 1),
    "hour": ("hour", 1), "hours": ("hour", 1), "hr": ("hour", 1), "hrs": ("hour", 1),
    "day": ("day", 1), "days": ("day", 1), "week": ("week", 1), "weeks": ("week", 1),
    "wk": ("week", 1), "wks": ("week", 1), "fortnight": ("week", 2), "fortnights": ("week", 2),
    "month": ("month", 1), "months": ("month", 1), "quarter": ("month", 3), "quarters": ("month", 3),
    "year": ("year", 1), "years": ("year", 1), "yr": ("year", 1), "yrs": ("year", 1),
}

# relative day words -> days from today
REL_DAYS: dict[str, int] = {
    "today": 0, "tonight": 0, "tonite": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1, "tomorow": 1,
    "yesterday": -1, "day after tomorrow": 2, "the day after tomorrow": 2,
    "day before yesterday": -2, "the day before yesterday": -2,
}

# part of day -> (is afternoon/evening: read 1-11 as PM, default hour when only the part is given)
PARTS_OF_DAY: dict[str, tuple[bool, int]] = {
    "morning": (False, 9), "early morning": (False, 7), "late morning": (False, 11),
    "afternoon": (True, 15), "early afternoon": (True, 13), "late afternoon": (True, 17),
    "evening": (True, 19), "early evening": (True, 18), "late evening": (True, 21),
    "night": (True, 21), "tonight": (True, 20), "tonite": (True, 20), "lunch": (True, 12),
    "lunchtime": (True, 12), "lunch time": (True, 12), "noon": (True, 12),
}

# Zone abbreviations -> candidates (IANA zone or fixed offset, what it stands for). Several
# candidates = ambiguous: the parties' zones decide, else the first is used and flagged.
# `dst` says which half of the year the abbreviation names (True summer, False standard,
# None both / no DST): written in the other half, the wall time is still read in the zone
# and a doubt says so.
ZONES: dict[str, tuple[tuple[str, str, bool | None], ...]] = {
    "utc": (("UTC", "UTC", None),), "gmt": (("UTC", "GMT", None),), "z": (("UTC", "UTC", None),),
    "zulu": (("UTC", "UTC", None),),
    "et": (("America/New_York", "US Eastern", None),),
    "est": (("America/New_York", "US Eastern Standard", False),),
    "edt": (("America/New_York", "US Eastern Daylight", True),),
    "ct": (("America/Chicago", "US Central", None),),
    "cst": (("America/Chicago", "US Central Standard", False), ("Asia/Shanghai", "China Standard", None),
            ("America/Havana", "Cuba Standard", False)),
    "cdt": (("America/Chicago", "US Central Daylight", True),),
    "mt": (("America/Denver", "US Mountain", None),),
    "mst": (("America/Denver", "US Mountain Standard", False),),
    "mdt": (("America/Denver", "US Mountain Daylight", True),),
    "pt": (("America/Los_Angeles", "US Pacific", None),),
    "pst": (("America/Los_Angeles", "US Pacific Standard", False),),
    "pdt": (("America/Los_Angeles", "US Pacific Daylight", True),),
    "akst": (("America/Anchorage", "Alaska Standard", False),),
    "akdt": (("America/Anchorage", "Alaska Daylight", True),),
    "hst": (("Pacific/Honolulu", "Hawaii Standard", None),),
    "ast": (("America/Halifax", "Atlantic Standard", False),),
    "adt": (("America/Halifax", "Atlantic Daylight", True),),
    "nst": (("America/St_Johns", "Newfoundland Standard", False),),
    "ndt": (("America/St_Johns", "Newfoundland Daylight", True),),
    "wet": (("Europe/Lisbon", "Western European", False),),
    "west": (("Europe/Lisbon", "Western European Summer", True),),
    "bst": (("Europe/London", "British Summer", True), ("Asia/Dhaka", "Bangladesh Standard", None)),
    "ist": (("Asia/Kolkata", "India Standard", None), ("Europe/Dublin", "Irish Standard", True),
            ("Asia/Jerusalem", "Israel Standard", False)),
    "cet": (("Europe/Paris", "Central European", False),),
    "cest": (("Europe/Paris", "Central European Summer", True),),
    "met": (("Europe/Paris", "Central European", False),),
    "eet": (("Europe/Athens", "Eastern European", False),),
    "eest": (("Europe/Athens", "Eastern European Summer", True),),
    "msk": (("Europe/Moscow", "Moscow", None),),
    "gst": (("Asia/Dubai", "Gulf Standard", None),),
    "pkt": (("Asia/Karachi", "Pakistan", None),),
    "npt": (("Asia/Kathmandu", "Nepal", None),),
    "ict": (("Asia/Bangkok", "Indochina", None),),
    "wib": (("Asia/Jakarta", "Western Indonesia", None),),
    "sgt": (("Asia/Singapore", "Singapore", None),),
    "hkt": (("Asia/Hong_Kong", "Hong Kong", None),),
    "pht": (("Asia/Manila", "Philippine", None),),
    "jst": (("Asia/Tokyo", "Japan Standard", None),),
    "kst": (("Asia/Seoul", "Korea Standard", None),),
    "awst": (("Australia/Perth", "Australian Western", None),),
    "acst": (("Australia/Adelaide", "Australian Central Standard", False),),
    "acdt": (("Australia/Adelaide", "Australian Central Daylight", True),),
    "aest": (("Australia/Sydney", "Australian Eastern Standard", False),),
    "aedt": (("Australia/Sydney", "Australian Eastern Daylight", True),),
    "aet": (("Australia/Sydney", "Australian Eastern", None),),
    "nzst": (("Pacific/Auckland", "New Zealand Standard", False),),
    "nzdt": (("Pacific/Auckland", "New Zealand Daylight", True),),
    "chast": (("Pacific/Chatham", "Chatham Standard", False),),
    "chadt": (("Pacific/Chatham", "Chatham Daylight", True),),
    "cat": (("Africa/Maputo", "Central Africa", None),),
    "eat": (("Africa/Nairobi", "East Africa", None),),
    "wat": (("Africa/Lagos", "West Africa", None),),
    "sast": (("Africa/Johannesburg", "South Africa Standard", None),),
    "brt": (("America/Sao_Paulo", "Brasilia", None),),
    "art": (("America/Argentina/Buenos_Aires", "Argentina", None),),
    "clt": (("America/Santiago", "Chile Standard", False),),
    "clst": (("America/Santiago", "Chile Summer", True),),
}

# Zone names written out (lower case, longest match wins) -> (IANA zone, dst: as in ZONES).
ZONE_NAMES: dict[str, tuple[str, bool | None]] = {
    "eastern time": ("America/New_York", None), "eastern": ("America/New_York", None),
    "eastern standard time": ("America/New_York", False), "eastern daylight time": ("America/New_York", True),
    "us eastern": ("America/New_York", None), "new york time": ("America/New_York", None),
    "central time": ("America/Chicago", None), "central": ("America/Chicago", None),
    "central standard time": ("America/Chicago", False), "central daylight time": ("America/Chicago", True),
    "us central": ("America/Chicago", None),
    "mountain time": ("America/Denver", None), "mountain": ("America/Denver", None),
    "mountain standard time": ("America/Denver", False), "mountain daylight time": ("America/Denver", True),
    "pacific time": ("America/Los_Angeles", None), "pacific": ("America/Los_Angeles", None),
    "pacific standard time": ("America/Los_Angeles", False),
    "pacific daylight time": ("America/Los_Angeles", True), "us pacific": ("America/Los_Angeles", None),
    "central european time": ("Europe/Paris", None), "central european summer time": ("Europe/Paris", True),
    "central european standard time": ("Europe/Paris", False),
    "eastern european time": ("Europe/Athens", None), "western european time": ("Europe/Lisbon", None),
    "british summer time": ("Europe/London", True), "british time": ("Europe/London", None),
    "uk time": ("Europe/London", None), "greenwich mean time": ("UTC", None),
    "coordinated universal time": ("UTC", None), "irish time": ("Europe/Dublin", None),
    "india standard time": ("Asia/Kolkata", None), "indian standard time": ("Asia/Kolkata", None),
    "india time": ("Asia/Kolkata", None), "japan standard time": ("Asia/Tokyo", None),
    "japan time": ("Asia/Tokyo", None), "china standard time": ("Asia/Shanghai", None),
    "singapore time": ("Asia/Singapore", None), "gulf standard time": ("Asia/Dubai", None),
    "australian eastern time": ("Australia/Sydney", None),
    "australian eastern standard time": ("Australia/Sydney", False),
    "australian eastern daylight time": ("Australia/Sydney", True),
    "new zealand time": ("Pacific/Auckland", None), "west africa time": ("Africa/Lagos", None),
    "east africa time": ("Africa/Nairobi", None), "south africa time": ("Africa/Johannesburg", None),
}

# Phrases that name whose clock a time is on.
MY_TIME = ("my time", "my local time", "our time", "local time")
YOUR_TIME = ("your time", "your local time", "your end", "your side")
