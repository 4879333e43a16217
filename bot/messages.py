"""Every sentence the bot itself sends, in one place, so a city can reword them without code.

Texts about handoff (emergency numbers, the privacy notice, deletion) live in handoff.messages, the
dialogue's questions in intents.messages and answers in knowledge; this module holds the bot's own frame:
greetings, the menu, the rich menu, replies to things it cannot read (and the English said to a message in
English), and the labels of suggestion cards.
Placeholders in braces are filled by the code; keep them when rewording.
"""

# --- The menu (quick replies and the rich menu share these labels) ----------------------------------------
MENU_CHECK = "制度を調べる"
MENU_ASK = "質問する"
MENU_COUNSELOR = "相談員に相談"
MENU_HOWTO = "使い方"
MENU_RESTART = "最初から"

# --- Follow (someone added the bot as a friend) ------------------------------------------------------------
FOLLOW_GREETING = (
    "友だち追加ありがとうございます。ひとり親家庭の相談窓口「寄り添い」です。\n"
    "手当・貸付・仕事・子育て・住まい・養育費などの制度について、市や県の資料をもとにお答えします。"
    "いくつかの質問に答えていただくと、使えそうな制度をご案内することもできます。\n"
    "わたしは自動で応答するプログラム（ボット）で、人ではありません。"
    "人と話したいときは「相談員に相談」を押すか、「相談員と話したい」と送ってください。"
    "市の相談員（母子・父子自立支援員）におつなぎします。\n"
    "お名前や住所を伝える必要はありません。"
)
MENU_PROMPT = "ご用件を選ぶか、知りたいことをそのまま送ってください。"

# --- Menu items -------------------------------------------------------------------------------------------
ASK_PROMPT = (
    "知りたいことを、ふだんの言葉でそのまま送ってください。\n"
    "たとえば「児童扶養手当はいくらもらえますか」「引っ越しの費用を借りたい」のように聞いてください。"
)
ASK_EXAMPLES = ("児童扶養手当はいくら？", "引っ越し費用を借りたい", "資格を取りたい")
HOWTO = (
    "【寄り添いの使い方】\n"
    "・制度について知りたいことを、そのまま文章で送ってください。金額・条件・申請窓口・出典をお答えします。\n"
    "・「制度を調べる」を押すと、いくつかの質問のあとで使えそうな制度をご案内します。"
    "答えたくない質問はとばせます。\n"
    "・「相談員に相談」を押すと、市の相談員がこのトークでお返事します。\n"
    "・「最初から」と送ると、質問をやめて最初に戻ります。\n"
    "・「データを削除」と送ると、保存されているあなたのデータを削除できます。\n"
    "金額は改定されることがあります。最新の金額は窓口で確かめてください。"
)
RESTARTED = "最初に戻りました。"
# --- Messages written in Latin letters (English) ----------------------------------------------------------
# The documents and the windows are Japanese. A message in English that names a program (bot/english.yaml)
# first gets its Japanese name, to type here or show at the window, then the Japanese answer; nothing is
# promised that the city has not said (no interpreter, no phone number of our own).
ENGLISH_NAMED_INTRO = (
    "Thank you for your message. This service answers in Japanese. "
    "Here is the Japanese name of what you asked about:"
)
ENGLISH_NAMED_LINE = "・{english} = {name}"
ENGLISH_NAMED_AFTER = (
    "The detailed answer follows in Japanese. To ask in person, go to the window for single-parent families "
    "(ひとり親支援の窓口) at your city or town office and show the Japanese name. You can also send the "
    "Japanese name here, or tap 「相談員に相談」 to ask for a person at the city."
)
# A question in English that names no program the glossary knows and that the documents could not answer:
# said in both languages, before the Japanese reply, with names to copy ({programs}: one LATIN_SCRIPT_PROGRAM
# a line, from the glossary's `common` entries).
LATIN_SCRIPT_NOTE = (
    "Thank you for your message. For now this service can read and answer only Japanese. "
    "Please send your question in Japanese; simple words are fine. "
    "You can copy one of these Japanese names and send it:\n"
    "{programs}\n"
    "You can also tap 「相談員に相談」 to ask for a person at the city.\n"
    "ごめんなさい。いまは日本語でだけお答えできます。かんたんな日本語で送ってください。"
)
LATIN_SCRIPT_PROGRAM = "・{english} = {name}"
# A message about being busy or worn out (「死ぬほど忙しい」) that matches no program: not a crisis, and not a
# question to answer "not found" to.
STRAIN_REPLY = (
    "毎日本当におつかれさまです。ひとりで家のことも仕事も抱えていると、くたくたになりますよね。\n"
    "少しでも負担を軽くできる制度（子どもの預かり、家事の手伝い、手当など）がないか、"
    "「制度を調べる」から一緒に探せます。気になることをそのまま送ってくださっても大丈夫です。\n"
    "話を聞いてほしいときは「相談員に相談」を押してください。市の相談員がこのトークでお返事します。"
    "できることの一覧は「使い方」にあります。"
)
# The same, said before the answer when such a message also asks about a program.
STRAIN_PREFACE = "毎日本当におつかれさまです。お尋ねのことをご案内します。"
DIALOGUE_EXPIRED = (
    "前回の質問は時間がたったため終わりました。もう一度はじめるときは「制度を調べる」を押してください。"
)

# --- Short intents --------------------------------------------------------------------------------------
GREETING = "こんにちは。寄り添いです。ひとり親家庭の制度について、なんでも聞いてください。"
THANKS = "どういたしまして。ほかにも知りたいことがあれば、いつでも送ってください。"
# A message that only says where the resident lives (as the bot invites): noted, not a question.
PLACE_NOTED = "{place}にお住まいですね。これからは{place}の窓口をご案内します。ご質問をどうぞ。"
# A place none of the documents speaks for (横浜): say what the bot can and cannot tell.
PLACE_NOTED_ELSEWHERE = (
    "{place}にお住まいですね。{place}の制度や窓口の資料は手元にありません。"
    "国の制度（児童扶養手当など）はご案内できます。{place}の窓口は、お住まいの市区町村の役所でご確認ください。"
    "ご質問をどうぞ。"
)

# --- Things the bot cannot read --------------------------------------------------------------------------
TEXT_ONLY = (
    "ありがとうございます。ごめんなさい、わたしは文字のメッセージだけを読むことができます。"
    "スタンプや写真、音声、ファイル、位置情報の内容はわかりません。知りたいことを文章で送ってください。"
)
TEXT_ONLY_RELAYED = "（{kind}が送られました。ボットは内容を読めません）"
MEDIA_KINDS = {
    "sticker": "スタンプ",
    "image": "画像",
    "video": "動画",
    "audio": "音声",
    "file": "ファイル",
    "location": "位置情報",
}
MEDIA_KIND_OTHER = "メッセージ"
EMPTY_TEXT = "メッセージが空のようです。知りたいことを文章で送ってください。"

# --- When something on our side fails -------------------------------------------------------------------
TROUBLE = (
    "ごめんなさい、いまうまくお答えできませんでした。少し時間をおいて、もう一度送ってください。"
    "急ぎのときは「相談員に相談」を押してください。"
)
HANDOFF_TROUBLE = (
    "ごめんなさい、いま相談員への連絡がうまくいきませんでした。少し時間をおいて、もう一度送ってください。"
)

# --- Groups and rooms ------------------------------------------------------------------------------------
GROUP_REPLY = (
    "寄り添いは1対1で相談を受けるアカウントです。グループのメッセージは読まず、保存もしません。"
    "相談したいときは、寄り添いを友だち追加して、1対1のトークで送ってください。"
)
JOIN_INTRO = (
    "寄り添いです。ひとり親家庭の制度について、1対1のトークでお答えしています。"
    "グループでのメッセージは読まず、保存もしません。相談したいときは、友だち追加してから話しかけてください。"
)

# --- The offer of a counselor, declined ------------------------------------------------------------------
OFFER_DECLINED = "わかりました。ほかに知りたいことがあれば、いつでも送ってください。"

# --- While a counselor is handling the chat --------------------------------------------------------------
IN_THREAD_MENU = "いまは相談員との相談中です。知りたいことは、そのままメッセージで送ってください。"

# --- Suggestion cards (Flex) -----------------------------------------------------------------------------
CERTAINTY = {"likely": "対象の可能性が高い", "possible": "対象かもしれません"}
CARD_REASONS = "この制度をご案内する理由"
CARD_CONTACT = "申請・相談窓口"
CARD_SOURCE = "出典"
CARD_DETAIL = "くわしく聞く"
CARD_DETAIL_QUESTION = "{name}について教えて"
CARD_URGENT = "まず相談してください"
SUGGESTIONS_ALT = "使えそうな制度（{count}件）"
SUGGESTIONS_ALT_LINE = "{number}. {name}（{certainty}）"
SUGGESTIONS_NONE = (
    "いまわかっている情報では、ご案内できる制度が見つかりませんでした。くわしくは相談員にお尋ねください。"
)
SUGGESTIONS_MORE = "ほかにも{count}件あります。くわしくは相談員にお尋ねください。"
SUGGESTIONS_MORE_LINE = "・{name}（{certainty}）窓口: {contact}"
AMOUNT_CAVEAT = "金額は出典の日付時点のものです。改定されていることがあるため、窓口で確かめてください。"

# --- Emulator page ----------------------------------------------------------------------------------------
EMULATOR = {
    "title": "寄り添い LINE エミュレーター",
    "placeholder": "メッセージを入力",
    "send": "送信",
    "follow": "友だち追加",
    "unfollow": "ブロック",
    "new_user": "別の利用者",
    "note": "ローカル確認用の画面です。送った内容は署名付きのWebhookとして /callback に届きます。",
}

# Feedback after a knowledge answer.
FEEDBACK_HELPFUL = "役に立った"
FEEDBACK_UNHELPFUL = "役に立たなかった"
FEEDBACK_THANKS = "ありがとうございます。これからの参考にします。"
FEEDBACK_SORRY = "教えていただき、ありがとうございます。いただいた声は、案内をよくするために使います。"
FEEDBACK_ALREADY = "ありがとうございます。ほかにも知りたいことがあれば、いつでも送ってください。"
