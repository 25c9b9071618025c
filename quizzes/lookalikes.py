"""Letters that pass for Latin ones, so that sign-up can refuse a username that looks like
another learner's (quizzes.forms.SignupForm): "аӏісе", all Cyrillic, or "aIice", with a
capital I, beside "alice" on the leaderboard.

Each letter of another alphabet is filed under the ASCII letter that Unicode's list of
confusable characters (confusables.txt, of Unicode Technical Standard #39) takes it for.
Left out: letters that look Latin only in some fonts (Cyrillic г and Coptic ⲅ for r, Greek γ
for y, Greek σ for o), which would make "Егор" pass for "Erop"; digits' look-alikes; and
letters that NFKC, which Django applies to every username, turns into others.
"""

# The table is made of look-alike letters on purpose.
# ruff: noqa: RUF001, RUF002, RUF003

LATIN_LOOK_ALIKES = {
    "A": "ΑАᎪᗅꓮ𐊠𖽀",
    "a": "αа",
    "B": "ΒВᏴᗷꓐ𐊂𐊡𐌁",
    "b": "ЬᏏᑲᖯ",
    "C": "СᏟⲤꓚ𐊢𐌂𐐕𐔜",
    "c": "сⲥꮯ𐐽",
    "D": "Ꭰᗞᗪꓓ",
    "d": "ԁᏧᑯꓒ",
    "E": "ΕЕᎬⴹꓰ𐊆𑢦𑢮",
    "e": "еҽ",
    "F": "Ϝᖴꓝ𐊇𐊥𐔥𑢢𑣂",
    "f": "ք",
    "G": "ԌᏀᏳꓖ",
    "g": "ց",
    "H": "ΗНᎻᕼⲎꓧ𐋏",
    "h": "һհᏂ",
    "I": "ΙІӀᛁⲒⵏꓲ𐊊𐌉𖼨",
    "i": "ιіᎥꙇꭵ𑣃",
    "J": "ͿЈᎫᒍꓙ",
    "j": "ϳј",
    "K": "ΚКᏦᛕⲔꓗ𐔘",
    "L": "ᏞᒪⳐꓡ𐐛𐔦𑢣𑢲𖼖",
    "l": "ӏ",
    "M": "ΜϺМᎷᗰᛖⲘꓟ𐊰𐌑",
    "N": "ΝⲚꓠ𐔓",
    "n": "ոռ",
    "O": "ΟОՕଠዐⲞⵔꓳ𐊒𐊫𐐄𐓂𐔖𑢵",
    "o": "οоօഠဝჿⲟ𐐬𐓪𑣈𑣗",
    "P": "ΡРᏢᑭⲢꓑ𐊕",
    "p": "ρрⲣ",
    "Q": "ⵕ",
    "q": "ԛգզ",
    "R": "ᎡᏒᖇꓣ𐒴𖼵",
    "r": "ꮁ",
    "S": "ЅՏᏕᏚꓢ𐊖𐐠𖼺",
    "s": "ѕꮪ𐑈𑣁",
    "T": "ΤТᎢⲦꓔ𐊗𐊱𐌕𑢼𖼊",
    "U": "Սሀᑌꓴ𐓎𑢸𖽂",
    "u": "υս𐓶𑣘",
    "V": "ѴᏙᐯⴸꓦꛟ𐔝𑢠𖼈",
    "v": "νѵꮩ𑜆𑣀",
    "W": "ԜᎳᏔꓪ",
    "w": "ѡԝաꮃ𑜊𑜎𑜏",
    "X": "ΧХᚷⲬⵝꓫ𐊐𐊴𐌗𐔧",
    "x": "хᕁᕽ",
    "Y": "ΥУҮᎩᎽⲨꓬ𐊲𑢤𖽃",
    "y": "уүყ𑣜",
    "Z": "ΖᏃꓜ𑢩",
    "z": "ꮓ𑣄",
}

_TO_LATIN = str.maketrans(
    {
        look_alike: latin
        for latin, look_alikes in LATIN_LOOK_ALIKES.items()
        for look_alike in look_alikes
    }
)


# Within Latin and digits, in lower case: a one is an l, a zero an o; Turkish dotless ı and
# Latin alpha pass for i and a. A lower-case i keeps its dot: "ali" and "all", "Neil" and
# "Nell", "Ilia" and "Lila" are different names.
_WITHIN_LATIN = str.maketrans({"1": "l", "0": "o", "ı": "i", "ɑ": "a"})
# Pairs of letters that pass for one ("rnary" for "mary").
_PAIRS = (("rn", "m"), ("vv", "w"))


def _shape(latin: str) -> str:
    shape = latin.lower().translate(_WITHIN_LATIN)
    for pair, letter in _PAIRS:
        shape = shape.replace(pair, letter)
    return shape


def skeleton(name: str) -> str:
    """What `name` looks like, letters that pass for one another made one, in lower case:
    two names with the same skeleton can pass for each other ("аӏісе" all Cyrillic and
    "aIice" with a capital I are "alice"). After Unicode's skeletons (TR39), cut down to
    the look-alikes of ASCII letters above. A capital I is one stroke, as an l is in the
    sans-serif faces the site uses, so it is made an l before the case goes ("ALICE" is
    "allce": Django's check of names taken, which ignores case, keeps it from "alice", and
    so does `reading`)."""
    return _shape(name.translate(_TO_LATIN).replace("I", "l"))


def reading(name: str) -> str:
    """What `name` reads as in Latin letters, case aside: "ꓮꓡꓲꓚꓰ" in Lisu and "ALICE" both
    read "alice". Two names with the same reading pass for each other written in another
    case, which Django's names ignore."""
    return _shape(name.translate(_TO_LATIN))


def lock_key(name: str) -> str:
    """One key for every name that shares a skeleton or a reading with `name` (and a few
    more: "ali" with "all"), to make sign-ups of such names wait for each other."""
    return skeleton(name).replace("i", "l")
