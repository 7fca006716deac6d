"""The area types placelens profiles, and how they are named: constants and one wording
helper only, so that the command line can name types without importing pandas."""

#: Area types that have LAD members and profiles, in order of preference for equal names.
PROFILE_TYPES = ["LAD", "CA", "CR", "SET", "ITL3", "ITL2", "ITL1", "CTRY", "UK"]
ADMINISTRATIVE_TYPES = {"LAD", "CA", "CR", "SET"}
TYPE_LABELS = {"LAD": "local authority district", "CA": "combined authority",
               "CR": "city region / growth deal", "SET": "area set", "ITL3": "ITL3 region",
               "ITL2": "ITL2 region", "ITL1": "ITL1 region", "CTRY": "country", "UK": "UK"}
#: How the peers a place of each type is compared with are named in sentences.
PEERS = {"LAD": "districts", "CA": "combined authorities", "CR": "city regions",
         "ITL1": "ITL1 regions", "ITL2": "ITL2 regions", "ITL3": "ITL3 areas",
         "CTRY": "countries", "UK": "countries", "SET": "districts and area sets"}
#: How the places of each type are listed together (the web home page's "Browse places").
PLURALS = {**PEERS, "SET": "area sets", "UK": "United Kingdom"}
VINTAGES = {"LAD": "LAD 2023", "CA": "2023", "CR": "2023", "ITL3": "ITL 2021",
            "ITL2": "ITL 2021", "ITL1": "ITL 2021", "CTRY": "2023", "UK": "2023", "SET": "LAD 2023"}


def upper_first(text: str) -> str:
    """``text`` with its first letter in capitals and the rest as written, for labels at the
    start of a sentence or heading: ``str.capitalize`` (and Jinja's filter of that name)
    lowers the rest, which made "ITL3 region" "Itl3 region", "UK" "Uk" and "MSOAs" "Msoas"."""
    return text[:1].upper() + text[1:]
