"""Every Japanese sentence the knowledge engine writes itself (the facts it quotes come from the documents).

A city can reword these without touching code. Placeholders in braces are filled by knowledge/answer.py.
"""

# Said first when the resident tells of a spouse's or parent's death (「夫が先月亡くなりました」).
CONDOLENCE = "大切なご家族を亡くされたとのこと、心からお悔やみ申し上げます。"

# The program the answer is about, then the quoted facts.
PROGRAM_INTRO = "「{program}」についてご案内します。"
FACTS_INTRO = ""
WINDOW = "お問い合わせ・申請先: {window}"
# What a rule or plan about the same program adds (quoted), after the program page's facts.
DETAIL = "・国の制度では: {fact}"
WINDOW_FALLBACK = "お問い合わせ・申請先: お住まいの市区町村のひとり親支援の窓口にご確認ください。"
LOCAL_WINDOW = "お住まいの地域の窓口: {window}"
# Whom to call when the answer quotes a procedure (the family court's): a counselling window for that help.
COUNSEL = "相談できるところ: {name}。{window}"
# A window of the place register (a city may add its hours).
WINDOW_PLAIN = "{name} {phone}"
WINDOW_WITH_HOURS = "{name} {phone}（{hours}）"
# In place of the quoted offices and numbers of a place the resident has not said they live in.
WINDOWS_DIFFER_BY_PLACE = (
    "窓口や電話番号は地域ごとに異なります。お住まいの市区町村を「〇〇市に住んでいます」のように"
    "教えていただくと、わかる範囲でその地域の窓口をご案内します。"
)
OTHER_JURISDICTION = (
    "※ この内容は{jurisdiction}の資料によるものです。お住まいの地域では内容や窓口が異なる場合があります。"
)
# A plan (計画) leads: its services are those of its years.
PLAN_NOTE = (
    "※ {jurisdiction}の計画（{year}年度）に載っている支援です。"
    "今も同じ内容か、お住まいの市区町村の窓口でご確認ください。"
)
OTHER_PROGRAMS = "ほかに関係しそうな制度: {programs}"
AMOUNT_AS_OF = "※ 金額は{date}時点のものです。"
SOURCE = "出典: {title}（{date}時点）"
SOURCE_UNDATED = "出典: {title}"
# A plan whose title is administrative wording (「…施策達成状況概要」): said plainly instead.
PLAN_SOURCE = "{jurisdiction}の計画（{year}年）"

# Programs whose amounts are known to change after our newest source; keyed by a word of the program name.
AMOUNT_NOTES: dict[str, str] = {}

# Amounts from knowledge/amounts.yaml (the figures come from the data; these are the words around them).
AMOUNT_FROM = "{date}から"
AMOUNT_AS_OF_DAY = "{date}時点"
AMOUNT_HEADER = "{program}の{unit}（{since}）:"
BAND_NAMES = {"first": "子ども1人", "second": "2人目の加算", "third": "3人目から1人につき加算"}
BAND_LINE = "・{who}: 全部支給 {full}／一部支給 {low}〜{high}"
HOUSEHOLD_TOTAL = "・{children}人なら合計で月額{full}（全部支給の場合）。一部支給なら月額{low}〜{high}です。"
ROW_LINE = "・{who}: {amount}"
# Said first when a new period has begun that our sources do not have yet (amounts revised every April): the
# figures that follow are the last ones known, not today's.
NEWER_NOT_KNOWN = (
    "{date}からの新しい年度の額は、手元の資料ではまだ確認できていません。今の額は{window}でご確認ください。"
    "参考までに、その前の額をお知らせします。"
)
AMOUNT_UNKNOWN = "{program}の今の額は手元の資料ではわかりません。{window}でご確認ください。"
AMOUNT_SOURCE = "金額の出典: {source}"
# A national amount read from a town's page: the page is where it was read, not whose amount it is.
AMOUNT_SOURCE_NATIONAL = "金額の出典: 国の制度で、全国同じ額です（確認した資料: {pages}）"
# A question that compares programs (「児童手当と児童扶養手当って違う？」): each one, short.
COMPARE_INTRO = "{programs}は別の制度です。それぞれご案内します。"
COMPARE_NAME = "■{program}"
# One message that asks about two or three programs.
PARTS_INTRO = "ご質問の{programs}について、それぞれご案内します。"
COMPARE_FACT = "・{fact}"
# Under one program of several: a point its sources do not cover (死別 when its condition names only divorce).
COMPARE_POINT = "・{point}は、手元の資料には書かれていません。"
COMPARE_WINDOW = "・申請先: {window}"
BAND_SUMMARY = (
    "・{unit}（{since}）: 子ども1人 全部支給{full}（一部支給{low}〜{high}）、"
    "2人目の加算{second}、3人目からの加算{third}（いずれも全部支給の場合）"
)
ROWS_SUMMARY = "・{unit}（{since}）: {rows}"
ROW_SUMMARY = "{who} {amount}"
GENERATED_TITLE = "{program}の額（公表資料から）"
GENERATED_INTRO = "{program}の額と支払いについて、公表されている資料からまとめたものです。"

# The documents are about the right program but do not answer the point asked (a payment day, a deadline).
# The points a question can ask that the documents may not cover (knowledge/answer.py decides which).
POINTS = {
    "payment_day": "お支払いの時期",
    "this_year_amount": "今年度の額",
    "renewal": "毎年の手続き（更新）",
    "apply_needed": "申請が要るかどうか",
    "must": "そうしなければならないかどうか（法律上の扱い）",
    "deadline": "期限や手続きの時期",
    "late": "期限に遅れたり出し忘れたりしたときの扱い",
    "processing_days": "かかる日数",
    "losing": "受けられなくなる場合",
    "while_receiving": "受けている間に必要な届け出",
    "repay_how": "返し方（返済の方法）",
    "life_change": "暮らしが変わったときの届け出や扱い",
    "living_with": "ほかの方との同居や収入の扱い",
    "before_divorce": "離婚が成立する前（調停中や別居中など）の扱い",
    "typical": "よくある額（相場）",
    "reissue": "なくしたときの再発行",
    "priority": "優先の扱い",
    "points": "選考の点数（指数）",
    "court_steps": "裁判所での手続きのやり方",
    "lottery": "抽選や倍率",
    "first_month": "いつの分から支給されるか",
    "documents": "申請に必要な書類",
    "online": "オンラインや郵送での手続き",
    "other_benefits": "ほかの給付との関係",
    "working": "受けている間に働くこと",
    "income_limit": "所得の基準額",
    "rent_subsidy": "家賃の補助",
    "rent_arrears": "払えない家賃そのものへの助け（支払いの猶予や給付）",
    "statistics": "事業の件数などの数字",
    "dependence": "お酒やギャンブルなど、やめたくてもやめにくいこと",
    "when": "時期や日時",
    "where": "場所",
    "cost": "利用するときの費用",
    "how_long": "利用できる日数や回数",
    "deciding": "離婚するかどうかのご判断",
    "apply_when": "申請する時期",
    "account": "振込先の口座",
    "refund": "立て替えたあとの払い戻し",
    "outside_area": "お住まいの地域の外での扱い",
    "attendance": "休んだ月や休学・留年のときの扱い",
    "cost_help": "その費用の補助",
    "selection": "選考での扱い",
    "who_can": "利用できる方の条件",
    "age": "利用できる年齢",
    "tax": "税金（住民税や控除など）での扱い",
    "registration": "登録や申し込みのしかた",
    "booking": "予約のしかた",
    "privacy": "まわりの方に知られるかどうか",
    "hours": "受付や利用の時間",
    "fees": "利用するときの料金や費用",
    "pickup": "送り迎えがあるかどうか",
    "meals": "食事が出るかどうか",
    "pets": "ペットを連れていけるかどうか",
    # A bereaved resident, and the program's condition the sources give names only divorce.
    "death": "亡くなられた場合（死別）の扱い",
}
# A form or payment the resident names that the sources never name.
NAMED_POINT = "「{name}」のこと"
# Said instead of POINT_NOT_COVERED to a resident deciding whether to divorce: no document decides that.
DECIDING_NOTE = (
    "※ 離婚するかどうかは資料ではお答えできませんが、決める前のご相談もできます。"
    "お子さんのことも含めて、窓口や相談員にお話しください。"
)
# The resident's own case (the words of their question the sources never mention).
CASE_POINT = "ご質問の場合（{words}）"
CASE_POINT_UNNAMED = "ご質問のような場合"
# The resident's place is one no document speaks for: its windows and figures.
ELSEWHERE_POINT = "{place}での窓口や金額"
# A national rule (要綱) found for a service asked of a named city: it cannot say whether the city runs it.
THERE_POINT = "{place}で行われているかどうか"
POINT_NOT_COVERED = "※ {point}については、手元の資料には書かれていません。窓口で確認してください。"

# A procedure the documents do not cover (住民票, 戸籍, 国民年金: knowledge/procedures.yaml) and the kind of
# window that handles it.
PROCEDURE_NOT_COVERED = "ご質問の「{thing}」の手続きについては、手元の資料には書かれていません。"
PROCEDURE_WINDOW = "手続きの窓口: {window}でご確認ください。"
# Help the documents do have that the rest of the question touches (the DV lines for a DV survivor).
PROCEDURE_RELATED = "ほかに関係しそうな支援: {programs}"

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
