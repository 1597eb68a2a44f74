"""Code 128 (code set B) as bar widths, for drawing a tracking number's barcode.

Each symbol is six alternating bar/space widths in modules (bar first) summing to 11; the stop
symbol has seven (13 modules). Check symbol: (104 + Σ position × value) mod 103. Code set B
covers printable ASCII (space to ``~``), which is what tracking numbers are made of.
"""

PATTERNS = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
    "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
    "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
    "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
    "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
    "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
    "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
    "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
)  # fmt: skip
START_B = 104
STOP = 106


def code128b_values(text: str) -> list[int]:
    """The symbol values: start B, the characters, the check symbol, stop."""
    if not text or any(not 32 <= ord(c) <= 126 for c in text):
        raise ValueError("Code 128 B encodes printable ASCII only")
    values = [ord(c) - 32 for c in text]
    check = (START_B + sum(i * v for i, v in enumerate(values, start=1))) % 103
    return [START_B, *values, check, STOP]


def code128b_modules(text: str) -> list[int]:
    """The widths, in modules, of alternating bars and spaces (starting with a bar)."""
    return [int(w) for value in code128b_values(text) for w in PATTERNS[value]]
