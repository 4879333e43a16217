"""Every Japanese sentence the knowledge engine writes itself (the facts it quotes come from the documents).

A city can reword these without touching code. Placeholders in braces are filled by knowledge/answer.py.
"""

# The program the answer is about, then the quoted facts.
PROGRAM_INTRO = "「{program}」についてご案内します。"
FACTS_INTRO = ""
WINDOW = "お問い合わせ・申請先: {window}"
WINDOW_FALLBACK = "お問い合わせ・申請先: お住まいの市区町村のひとり親支援の窓口にご確認ください。"
LOCAL_WINDOW = "お住まいの地域の窓口: {window}"
OTHER_JURISDICTION = (
    "※ この内容は{jurisdiction}の資料によるものです。お住まいの地域では内容や窓口が異なる場合があります。"
)
AMOUNT_AS_OF = "※ 金額は{date}時点のものです。"
SOURCE = "出典: {title}（{date}時点）"
SOURCE_UNDATED = "出典: {title}"

# Programs whose amounts are known to change after our newest source; keyed by a word of the program name.
AMOUNT_NOTES: dict[str, str] = {
    "児童扶養手当": (
        "児童扶養手当の額は原則として年1回見直されます（2024年11月1日にも改定がありました）。"
        "最新の額は窓口でご確認ください。"
    ),
}

# The documents are about the right program but do not answer the point asked (a payment day, a deadline).
POINT_NOT_COVERED = "※ {point}については、手元の資料には書かれていません。窓口で確認してください。"

# Low confidence: say so, list the closest programs, offer a counselor.
NOT_SURE = "申し訳ありません。ご質問にぴったり合う情報を資料の中から確実には見つけられませんでした。"
CLOSEST_PROGRAMS = "近いと思われる制度:"
CLOSEST_ITEM = "・{program}"
OFFER_COUNSELOR = "くわしくは「相談員に相談」と送っていただくと、母子・父子自立支援員におつなぎします。"

EMPTY_QUESTION = (
    "ご質問の内容が読み取れませんでした。知りたい制度やお困りごとを文章で送ってください。"
    "（例: 「児童扶養手当の金額は？」「引っ越しの費用を借りたい」）"
)
NO_DOCUMENTS = "ただいま制度の資料を読み込めていません。お手数ですが「相談員に相談」と送ってください。"
