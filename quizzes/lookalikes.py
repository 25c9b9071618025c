"""Letters of other alphabets that pass for Latin ones, so that sign-up can refuse a username
that reads as another learner's (quizzes.forms.SignupForm): "аӏісе", all Cyrillic, beside
"alice" on the leaderboard.

Each letter is filed under the ASCII letter that Unicode's list of confusable characters
(confusables.txt, of Unicode Technical Standard #39) takes it for. Left out: Latin letters
outside ASCII ("ı" in "Aydın"), which are letters of their own; letters that look Latin only in
some fonts (Cyrillic г and Coptic ⲅ for r, Greek γ for y, Greek σ for o), which would refuse
"Егор"; digits' look-alikes; and letters that NFKC, which Django applies to every username,
turns into others.
"""

# The table is made of look-alike letters on purpose.
# ruff: noqa: RUF001, RUF002

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


def latin_reading(name: str) -> str | None:
    """How `name` reads to someone who expects Latin letters, when it is not plain ASCII but
    every letter of it is an ASCII one or passes for one ("аӏісе" reads "alice"; "Ꭺlice",
    its Ꭺ Cherokee, reads "Alice"); otherwise None. (Chromium shows a domain name wholly
    in another alphabet made of such letters as punycode.)"""
    if name.isascii():
        return None
    reading = name.translate(_TO_LATIN)
    return reading if reading.isascii() else None
