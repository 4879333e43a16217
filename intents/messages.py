"""Every Japanese sentence intents produces, in one place so a city can reword it.

Program names, summaries and windows are data (catalogue.yaml); this module holds the text around them:
reasons for a suggestion, the dialogue's questions and choices, and the notes on amounts.
"""

from __future__ import annotations

# ── Facts, as a resident reads them ───────────────────────────────────────────
PARENT_LABELS = {
    "mother": "母(母子家庭)",
    "father": "父(父子家庭)",
    "widow": "寡婦(子が成人)",
    "guardian": "祖父母など養育者",
}
SITUATION_LABELS = {
    "single": "ひとり親(離婚・未婚など)",
    "considering_divorce": "離婚を考えている",
    "separated": "別居中",
    "bereaved": "配偶者と死別",
    "married": "結婚している(別居していない)",
}
CHILD_ALLOWANCE_LABELS = {
    "receiving": "受け取っている",
    "applying": "申請中",
    "not_receiving": "受け取っていない",
}
RESIDENT_TAX_LABELS = {"exempt": "非課税", "taxed": "課税されている"}
EMPLOYMENT_LABELS = {
    "full_time": "正社員",
    "part_time": "パート・アルバイト",
    "self_employed": "自営業",
    "job_seeking": "仕事を探している",
    "not_working": "働いていない",
}
NEED_LABELS = {
    "money": "生活費・お金",
    "loan": "お金を借りたい",
    "job": "仕事",
    "qualification": "資格を取りたい",
    "childcare": "保育・預け先",
    "education": "教育・進学",
    "housing": "住まい",
    "child_support": "養育費",
    "medical": "医療費",
    "legal": "離婚・法律の相談",
    "dv": "DV・身の安全",
}
# The same needs as the subject of 「…のご相談」 in the summary (「資格を取りたいのご相談」 reads wrong).
NEED_SUBJECTS = {**NEED_LABELS, "loan": "お金の借り入れ", "qualification": "資格の取得"}
CIRCUMSTANCE_LABELS = {
    "dv": "DV",
    "traffic_accident": "交通事故",
    "disaster": "災害",
    "illness": "病気",
}
FACT_LABELS = {
    "parent": "どなたがお子さんを育てているか",
    "situation": "いまの状況(離婚・死別など)",
    "municipality": "お住まいの市区町村",
    "children_ages": "お子さんの年齢",
    "child_allowance": "児童扶養手当の受給",
    "resident_tax": "住民税の課税",
    "employment": "お仕事の状況",
    "needs": "気になっていること",
    "circumstances": "事故・災害・DVなどの事情",
}

# ── How sure a suggestion is: the one vocabulary every message uses ────────────
OUTLOOK_LABELS = {
    "likely": "対象の可能性が高い",
    "possible": "対象かもしれません",
    "after_divorce": "離婚後に対象になる見込み",
    "depends": "状況により対象になる場合があります",
}

# ── Reasons for a suggestion ──────────────────────────────────────────────────
HOUSEHOLD_LABELS = {
    "mother": "ひとり親家庭",
    "father": "ひとり親家庭",
    "widow": "寡婦の方",
    "guardian": "お子さんを養育している方",
}
REASON_CHILD_AND_HOUSEHOLD = "{child}のお子さんがいる{household}のため"
REASON_CHILD = "{child}のお子さんがいるため"
REASON_HOUSEHOLD = "{household}のため"
REASON_BEREAVED = "配偶者を亡くされたため"
PENDING_HOUSEHOLD_LABELS = {"considering_divorce": "離婚を考えている方", "separated": "別居中の方"}
REASON_ALLOWANCE = "児童扶養手当を受給中のため"
REASON_RECEIVING = "すでに受給中です(手当の額の目安をご確認ください)"
REASON_TAX_EXEMPT = "住民税非課税世帯のため"
REASON_EMPLOYMENT = "お仕事の状況({employment})が対象に合うため"
REASON_CIRCUMSTANCE = "{circumstance}の事情があるため"
REASON_NEEDS = "ご希望({needs})に合う制度です"
NOTE_AFTER_DIVORCE = "離婚が成立すると対象になる見込みです"
NOTE_SEPARATED = "別居中の方は、状況により対象になる場合があります。窓口でご確認ください"
NOTE_CHILD_AGE_BORDER = "お子さんの学年や障害の有無によって対象になります"
NOTE_APPLYING = "児童扶養手当の受給が決まると対象になります"
NOTE_PENSION = "遺族基礎年金などを受けている場合に対象です"
NOTE_INCOME = "所得制限があります。額は窓口でご確認ください"
NOTE_INCOME_RULE = "所得の条件: {rule}"
# The allowance's own income limit, with the window that tells the amount for the household.
NOTE_INCOME_LIMIT = "所得制限があります: {rule}。限度額は窓口({contact})で確認できます"
# A minor service: what its users must have or lack, as the source says, to check first.
NOTE_MINOR = "ご利用の条件を窓口で確認してください: {what}"
NOTE_CHECK = "確認が必要: {facts}"
NOTE_TOWN_WINDOW = "町にお住まいの方の窓口"
LOCAL_OFFICE = "{window} {phone}"
SEPARATOR = "・"

# ── 児童扶養手当の目安 ─────────────────────────────────────────────────────────
ESTIMATE = (
    "全部支給の場合の目安: 18歳未満のお子さん{children}人で月額{total}円{breakdown}。"
    "所得により一部支給・支給なしの場合があります。{as_of}の額です（出典: {source}）。"
)
ESTIMATE_REVISED = "これより新しい額になっている場合があります。最新の額は窓口でご確認ください。"
YEN = "{amount:,}円"
ESTIMATE_THIRD_ON = "{amount:,}円×{count}"
ESTIMATE_BREAKDOWN = "({parts})"

# ── Dialogue ──────────────────────────────────────────────────────────────────
SKIP_LABEL = "答えない・わからない"
INTRO = (
    "いくつか質問にお答えいただくと、合いそうな制度をご案内します。"
    "お名前や住所はうかがいません。答えたくない質問は「答えない・わからない」を選んでください。"
    "文章でまとめて書いていただいても大丈夫です(例: 小学生と保育園の子がいるシングルマザーです)。"
)
RESTARTED = "最初からやり直します。"
EXPIRED = "前回の質問から時間がたったため、最初からやり直します。"
CANCELLED = "質問を終了しました。いつでも「支援を調べたい」と送ってください。"
NOT_UNDERSTOOD = "すみません、うまく読み取れませんでした。選択肢から選ぶか、言葉を変えて入力してください。"
UNDERSTOOD = "ありがとうございます。{facts}として伺います。"
QUESTIONS = {
    "parent": "お子さんを育てているのはどなたですか?",
    "situation": "いまの状況にあてはまるものを選んでください。",
    "circumstances": "差し支えなければ教えてください。交通事故や災害によるものですか?",
    "municipality": (
        "お住まいの市区町村を教えてください(例: 金沢市)。一覧にない場合は文字で入力してください。"
    ),
    "children_ages": (
        "お子さんの年齢を教えてください。「5歳と8歳」のように入力するか、一人ずつ選んでください。"
    ),
    "children_more": "ほかにもお子さんはいますか?(いまの回答: {children})",
    "child_allowance": "児童扶養手当を受け取っていますか?",
    "resident_tax": "住民税は非課税ですか?(わからなければ「答えない・わからない」で大丈夫です)",
    "employment": "いまのお仕事の状況を教えてください。",
    "needs": "いま気になっていることはどれですか?",
    "needs_more": "ほかにも気になっていることはありますか?(いまの回答: {needs})",
}
CHILD_STAGE_LABELS = {
    "preschool": "未就学(0〜5歳)",
    "elementary": "小学生",
    "junior_high": "中学生",
    "high_school": "高校生",
    "adult": "高校卒業以上",
}
NO_CHILDREN_LABEL = "子どもはいない"
CHILDREN_DONE_LABEL = "これで全部"
NEEDS_DONE_LABEL = "これで結果を見る"
CIRCUMSTANCE_CHOICES = {
    "traffic_accident": "交通事故",
    "disaster": "災害・労働災害",
    "none": "どちらでもない",
}
MUNICIPALITY_OTHER_HINT = "その他は文字で入力"
AGE_WITH_STAGE = "{age}歳ごろ"
AGE = "{age}歳"
NO_CHILDREN = "お子さんなし"
RESULT_INTRO = "お答えをもとに、合いそうな制度をご案内します。"
RESULT_NONE = "お答えに合う制度が見つかりませんでした。お住まいの市区町村の窓口にご相談ください。"
RESULT_URGENT = "身の安全がいちばん大切です。DVの相談窓口を先にご案内します。"
# Names the labels the cards below actually carry (OUTLOOK_LABELS), each quoted.
RESULT_POSSIBLE = "{labels}の制度は、条件を窓口で確認してください。"
QUOTED = "「{label}」"
RESULT_NEED = "【{need}】"
# The results themselves are the cards (one message); the text before them says only how they are ordered.
RESULT_GROUPS = "カードは{groups}の順です。それぞれに理由・確認すること・窓口を書いています。"
RESULT_OTHER = "ほかに使えそうな制度"
# A local program's window for a resident who named no place: another area's number would mislead.
CONTACT_UNKNOWN_PLACE = "お住まいの市区町村のひとり親相談窓口"
RESULT_AGAIN_LABEL = "条件を変えてもう一度"
RESUME = "ご質問へのお答えは上のとおりです。続けて、先ほどの質問にお答えください。"
REVIEW = "いまの回答: {facts}\n変えたい項目を選んでください。ほかの回答はそのまま使います。"
REVIEW_NOTHING = "まだ回答がありません"
CHANGE_LABEL = "{fact}を変える"
CHANGE_FACT_LABELS = {
    "parent": "育てている方",
    "situation": "いまの状況",
    "circumstances": "事故・災害",
    "municipality": "お住まい",
    "children_ages": "お子さん",
    "child_allowance": "児童扶養手当",
    "resident_tax": "住民税",
    "employment": "お仕事",
    "needs": "気になること",
}
CHANGE_PROMPT = "この項目だけ、もう一度うかがいます。"
CHANGED = "{facts}に変更しました。結果を更新します。"
RESTART_LABEL = "最初からやり直す"
DETAIL_HEADING = "{name}({label})"
DETAIL_FOR = "対象: {for_whom}"
DETAIL_REQUIREMENTS = "要件(資料に書かれているものすべて):"
DETAIL_ITEM = "・{item}"
DETAIL_REQUIREMENT = "・{item}({status})"
# What the household's answers say of one requirement of the source.
REQUIREMENT_STATUS = {
    "met": "お答えではあてはまります",
    "after_divorce": "離婚が成立するとあてはまります",
    "depends": "別居中の方は状況によります。窓口で確認してください",
    "unknown": "まだわかりません。窓口で確認してください",
    "ask": "窓口で確認してください",
}
DETAIL_WINDOW = "あなたの窓口: {contact}"
DETAIL_SOURCE = "出典: {source}"
SUMMARY_CHILDREN = "お子さん{count}人({ages})"
SUMMARY_ALLOWANCE = "児童扶養手当: {value}"
SUMMARY_TAX = "住民税: {value}"
SUMMARY_NEEDS = "{needs}のご相談"
# The municipalities offered as buttons (≤ 12); any other is typed in.
MUNICIPALITY_CHOICES = (
    "金沢市",
    "白山市",
    "小松市",
    "加賀市",
    "七尾市",
    "野々市市",
    "能美市",
    "かほく市",
    "小平市",
)

# Words that steer the dialogue itself, whatever step it is at.
RESTART_WORDS = ("最初から", "はじめから", "初めから", "やり直し", "やりなおし", "リセット")
CANCEL_WORDS = ("やめる", "やめます", "やめたい", "中止", "キャンセル", "終了", "終わり")
# Words that open the summary card, where any one answer can be changed.
REVIEW_WORDS = ("条件を変え", "回答を変え", "答えを変え", "回答を直", "答えを直", "回答を確認")
SKIP_WORDS = (
    "答えない",
    "答えたくない",
    "わからない",
    "分からない",
    "わかりません",
    "分かりません",
    "スキップ",
)
