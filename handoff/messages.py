"""Every Japanese sentence handoff shows, in one place, so a city can reword them without touching code.

Placeholders in braces are filled by `handoff.replies` and the dashboard; keep them when rewording.
Emergency numbers were checked against public sources (see the handoff README section); re-check them
when rewording.
"""

# Postback data of the buttons handoff offers (the bot's router passes them back to `EscalationPolicy`).
REQUEST_POSTBACK = "handoff:request"
DECLINE_POSTBACK = "handoff:decline"
DELETE_CONFIRM_POSTBACK = "handoff:delete:confirm"
DELETE_CANCEL_POSTBACK = "handoff:delete:cancel"
# Notice buttons: the topic key follows the colon (「notice:subscribe:loans」); without it, choose / stop all.
NOTICE_SUBSCRIBE_POSTBACK = "notice:subscribe:"
NOTICE_UNSUBSCRIBE_POSTBACK = "notice:unsubscribe:"
NOTICE_LIST_POSTBACK = "notice:list"

# --- Crisis replies: contacts come from contacts.yaml, kinds from crisis.yaml ---------------------------
# The first line shows in notification previews and on a shared phone's lock screen: it names no crisis.
CRISIS_FIRST_LINE = "メッセージを受け取りました。"
CONTACTS_HEADER = "【いま相談できる窓口】"
CONTACTS_LOCAL_HEADER = "【お近くの窓口（受付時間は地域で異なります）】"
CONTACT_DETAIL_LINE = "・{name} {reach}{details}"
CONTACT_LINE = "・{contact}"
CRISIS_INTRO = {
    "danger": "いま危険な状況でしたら、すぐに110番（警察）か119番（救急）に電話してください。",
    "suicide": "とてもつらい気持ちを伝えてくださって、ありがとうございます。ひとりで抱えこまないでください。",
    "self_harm": (
        "話してくださってありがとうございます。薬をたくさん飲んだときや、けがをしたときは、"
        "迷わず119番に電話してください。"
    ),
    "sexual_violence": "話してくださってありがとうございます。あなたは悪くありません。",
    "dv": "話してくださってありがとうございます。暴力を受けるのは、あなたのせいではありません。",
    "child_abuse_risk": (
        "話してくださってありがとうございます。追いつめられたときは、ひとりで抱えこまず相談してください。"
    ),
    "child_abuse_other": (
        "知らせてくださってありがとうございます。お子さんの安全を守るために相談してください。"
    ),
    "no_place_tonight": (
        "今夜いる場所がないときも、相談できるところがあります。"
        "DVから逃れているときは、一時保護を受けられることもあります。"
    ),
    "despair": "ここまでひとりでがんばってこられたのですね。つらい気持ちを、誰かに話してみてください。",
}
DV_SAFETY_NOTE = (
    "【このトークを安全に使うために】\n"
    "相手にスマートフォンを見られるおそれがあるときは、トーク履歴を消しておけます"
    "（トーク画面右上のメニュー（≡）→「設定」→「トーク履歴をすべて削除」）。"
    "LINEの「設定」→「通知」で「メッセージ内容表示」をオフにすると、通知に内容が出ません。"
)
# On-call staff hear of an urgent thread (e-mail, webhook): only the kind and a link, never resident text.
ALERT_SUBJECT = "【寄り添い】至急の相談が届きました"
ALERT_BODY = (
    "至急の対応が必要な相談が届きました。\n"
    "種類：{kinds}\n"
    "相談画面：{link}\n"
    "（相談の内容はこのメールには含めていません。相談画面で確認してください。）"
)
# The same for a chat tool (the webhook's "text").
ALERT_CHAT_TEXT = (
    "至急の対応が必要な相談が届きました。\n"
    "種類：{kinds}\n"
    "相談画面：{link}\n"
    "（相談の内容はここには含めていません。相談画面で確認してください。）"
)
REQUEST_REPLY = "わかりました。市の相談員（母子・父子自立支援員）におつなぎします。"
OFFER_REPLY = (
    "うまくお答えできず、すみません。市の相談員（母子・父子自立支援員）に直接相談することもできます。"
    "相談員につなぎますか？"
)
OFFER_ACCEPT_LABEL = "相談員と話す"
OFFER_DECLINE_LABEL = "このまま質問する"
OFFER_DECLINED = "わかりました。ほかに知りたいことがあれば、いつでも送ってください。"

# --- While a thread is open ----------------------------------------------------------------------------
THREAD_OPENED_OPEN = (
    "このトークで相談員がお返事します。いまは受付時間中です。順番にお返事しますので、少しお待ちください。"
    "お待ちのあいだに送ったメッセージも相談員に届きます。"
)
THREAD_OPENED_CLOSED = (
    "このトークで相談員がお返事します。いまは受付時間外のため、お返事は{when}以降になります。"
    "お待ちのあいだに送ったメッセージも相談員に届きます。（受付時間：{hours}）"
)
ACKNOWLEDGEMENT_OPEN = "メッセージを相談員に届けました。お返事まで少しお待ちください。"
ACKNOWLEDGEMENT_CLOSED = (
    "メッセージを相談員に届けました。いまは受付時間外のため、お返事は{when}以降になります。"
)
# A counselor has just taken the thread and has not written yet: someone is reading now, whatever the hour.
ACKNOWLEDGEMENT_CLAIMED = (
    "メッセージを相談員に届けました。相談員がいま確認しています。このままお待ちください。"
)
ACKNOWLEDGEMENT_URGENT = "急いで相談したいときは、いまつながるこちらへ連絡してください。"
THREAD_RESOLVED = (
    "相談員との相談をいったん終わります。ここからは、また自動でお答えします。"
    "もう一度相談員と話したいときは「相談員と話したい」と送ってください。"
)
COUNSELOR_REPLY = "【相談員より】\n{text}"
# A note in the thread (counselors only) when crisis words come while a counselor is writing: the bot sent
# the resident nothing, so the counselor knows the next word is theirs.
NOTE_AUTHOR_BOT = "自動メモ"
LIVE_CRISIS_NOTE = (
    "直前のメッセージに危機の言葉がありました（{kinds}）。相談員が対応中のため、"
    "自動の連絡先は送っていません。"
)

# --- Reception hours phrases -------------------------------------------------------------------------
WEEKDAYS = "月火水木金土日"
TIME_ON_THE_HOUR = "{hour}時"
TIME_WITH_MINUTES = "{hour}時{minute}分"
OPENING_TODAY = "本日{time}"
OPENING_TOMORROW = "明日（{month}月{day}日）{time}"
OPENING_DATE = "{month}月{day}日（{weekday}）{time}"
HOURS_DAYS_RANGE = "{first}〜{last}"
HOURS_DAYS_SEPARATOR = "・"
HOURS_WINDOW = "{days} {start}〜{end}"
HOURS_WINDOW_SEPARATOR = "、"
HOURS_CLOSED_DAYS = "（祝日・年末年始を除く）"

# --- Deleting a resident's data ------------------------------------------------------------------------
DELETE_CONFIRM = (
    "この相談窓口に保存されているあなたのデータ（相談の記録、入力した世帯の情報）をすべて削除します。"
    "元には戻せません。削除してよろしいですか？"
)
DELETE_CONFIRM_LABEL = "削除する"
DELETE_CANCEL_LABEL = "やめる"
DELETE_CANCELLED = "削除をとりやめました。データはそのままです。"
CHAT_HISTORY_HOWTO = (
    "スマートフォンに残るこのトークの履歴は、トーク画面右上のメニュー（≡）→「設定」→"
    "「トーク履歴をすべて削除」で消せます。"
    "通知に内容を出したくないときは、LINEの「設定」→「通知」で「メッセージ内容表示」をオフにしてください。"
)
DELETE_DONE = "あなたのデータをすべて削除しました。\n" + CHAT_HISTORY_HOWTO

# --- The follow message's privacy paragraph ------------------------------------------------------------
PRIVACY_NOTICE = (
    "【プライバシーについて】\n"
    "・お名前やLINEのプロフィールは、あなたの同意なしに取得しません。\n"
    "・相談の内容は暗号化して保存し、市の相談員だけが見ます。\n"
    "・相談が終わってから{retention_days}日たった記録は、自動で削除します。\n"
    "・ボットへの質問は、案内をよくするため、電話番号やお名前を伏せた形で市の担当者が見ることがあります"
    "（{retention_days}日たつと自動で削除します）。\n"
    "・お知らせ（現況届の時期など）を登録すると、止める・ブロックする・データを削除するまで登録を保存します。\n"
    "・「データを削除」と送ると、保存されているあなたのデータをいつでもすべて削除できます。\n"
    "【ご家族とスマートフォンを共有している方へ】\n" + CHAT_HISTORY_HOWTO
)

# --- Asked whether one can consult without being known (「名前を出さずに」「夫にばれずに」) ----------------
ANONYMOUS_CONSULTATION = (
    "はい、お名前を出さずに相談できます。離婚する前の方や、まだ迷っている方も相談できます。\n"
    + PRIVACY_NOTICE
    + "\n暴力を受けている、身の危険を感じるときは、そのことを送ってください。"
    "すぐに相談できる窓口をご案内します。\n"
    "人と話したいときは「相談員に相談」を押してください。市の相談員（母子・父子自立支援員）がこのトークでお返事します。"
)

# --- Counselor dashboard: sentences shown by the code (flash messages, errors) ---------------------------
DASHBOARD = {
    "content_published": "「{name}」を公開しました。回答はこの文書も使います。",
    "content_discarded": "下書き「{name}」を破棄しました。",
    "content_saved": "下書きを保存しました。",
    "too_large": "送られたデータが大きすぎます（ファイルの上限は{limit}MBです）。何も保存していません。",
    "amounts_added": "{program}の{start}からの額を追加しました。",
    "contact_saved": "{place}の窓口を保存しました。回答とおすすめの制度は、これからこの窓口を案内します。",
    "login_failed": "名前またはパスワードが違います。",
    "locked": "ログインに続けて失敗したため、{until}までログインできません。",
    "logged_out": "ログアウトしました。",
    "session_expired": "一定時間が過ぎたため、もう一度ログインしてください。",
    "csrf_failed": (
        "フォームの有効期限が切れたか、不正な送信です。ページを読み込み直してから、もう一度送ってください。"
    ),
    "forbidden": "このページを見る権限がありません。",
    "not_found": "見つかりません。",
    "claimed": "この相談を担当にしました。",
    "claimed_by_other": "この相談はすでに {name} さんが担当しています。",
    "not_open": "この相談は終了しています。",
    "deleted": "相談者がデータを削除したため、この相談には返信できません。",
    "reply_empty": "返信が空です。",
    "bad_characters": "使えない文字（制御文字や文字化け）が含まれています。取り除いてから送ってください。",
    "reply_too_long": "返信は{limit}文字以内にしてください。",
    "reply_sent": "返信を送りました（{status}）。",
    "reply_failed": "返信を送れませんでした（{status}）。再送できます。",
    "reply_duplicate": "この返信はすでに送信済みです（{status}）。",
    "must_claim": "返信するには、先にこの相談を担当にしてください。",
    "resolved": "相談を終了しました。相談者には自動応答に戻ることを伝えました（{status}）。",
    "note_added": "メモを追加しました。",
    "note_empty": "メモが空です。",
    "account_added": "アカウント {name} を追加しました。",
    "account_disabled": "アカウント {name} を無効にしました。",
    "account_enabled": "アカウント {name} を有効にしました。",
    "password_reset": "{name} のパスワードを再設定しました。",
    "password_changed": "パスワードを変更しました。",
    "password_mismatch": "新しいパスワードが一致しません。",
    "account_short": "パスワードは8文字以上にしてください。",
    "account_long": "パスワードが長すぎます。",
    "account_name": "名前は1〜64文字で、制御文字を含めないでください。",
    "account_exists": "同じ名前のアカウントがすでにあります。",
    "account_unknown": "そのアカウントは見つかりません。",
    "account_last_admin": "最後の管理者は無効にできません。",
    "account_invalid": "この操作はできません。",
    "current_password_wrong": "現在のパスワードが違います。",
    "notice_topic_unknown": "お知らせの種類を選んでください。",
    "notice_empty": "本文が空です。",
    "notice_too_long": "本文が長すぎます（LINEの1通の上限を超えます）。",
    "notice_time_invalid": "送信日時の形式が正しくありません。",
    "notice_scheduled": "お知らせ配信 #{id} を予約しました。",
    "notice_cancelled": "配信を取り消しました。",
    "notice_cancel_refused": "この配信はすでに始まっているため、取り消せません。",
    "notice_resumed": "残りの送信を再開しました。",
    "notice_resume_refused": "この配信は再開できません。",
}

# How long a thread has waited, as the queue shows it.
WAITED: dict[str, str] = {
    "days": "{days}日{hours}時間",
    "hours": "{hours}時間{minutes}分",
    "minutes": "{minutes}分",
}

# The dashboard's page text (titles, labels, buttons); keys start with their template's name unless shared.
PAGE: dict[str, str] = {
    "separator": "・",
    "urgent": "緊急",
    "received": "受付 {time}",
    "claimed_by": "担当 {name}",
    "resolved_at": "終了 {time}",
    "base_title": "相談員ダッシュボード",
    "base_site": "寄り添い",
    "base_brand": "寄り添い 相談員",
    "base_nav_queue": "相談一覧",
    "base_nav_accounts": "アカウント",
    "base_nav_audit": "監査ログ",
    "base_nav_password": "パスワード",
    "base_logout": "ログアウト（{name}）",
    # Asked (a browser confirm) when the counselor logs out with typed text kept in this browser; logging out
    # removes it, so the next person at a shared PC cannot read it.
    "logout_drafts_warning": "送信していない下書きがあります（{count}件）。"
    "ログアウトすると、このブラウザから消えます。ログアウトしますか？",
    "login_title": "ログイン",
    "login_name": "名前",
    "login_password": "パスワード",
    "login_submit": "ログイン",
    # Shown on the login page when a session ended with typed text still kept in this browser.
    "login_drafts_kept": "書きかけの文がこのブラウザに残っています。"
    "同じ名前でログインすると元の画面に戻ります（別の名前でログインすると消えます）。",
    "password_title": "パスワード変更",
    "password_current": "現在のパスワード",
    "password_new": "新しいパスワード（8文字以上）",
    "password_again": "新しいパスワード（確認）",
    "password_submit": "変更",
    "error_title": "エラー {code}",
    "error_back": "相談一覧へ戻る",
    "queue_title": "相談一覧",
    "queue_heading": "対応が必要な相談",
    "queue_count": "{count}件",
    "queue_hours": "受付時間：{hours}（{state}）",
    "queue_open": "受付中",
    "queue_closed": "受付時間外",
    "queue_empty": "いま対応が必要な相談はありません。",
    "queue_waited": "待ち時間 {waited}",
    "queue_latest": "最新 {time}",
    "queue_messages": "{count}通",
    "queue_resolved": "最近終了した相談",
    "queue_resident_wrote": "新しいメッセージ",
    "queue_preview_separator": "：",
    "queue_urgent_before": "以前に緊急の相談あり",
    "queue_returned_after": "緊急の相談の終了から{days}日",
    "thread_title": "相談 #{id}",
    "thread_back": "← 相談一覧",
    "thread_transcript": "会話",
    "thread_author": "（{name}）",
    "thread_delivery": "送信状況：{status}",
    "thread_retry": "再送する",
    "thread_no_messages": "まだメッセージはありません。",
    "thread_reply": "返信（相談者のLINEに届きます）",
    "thread_send": "送信",
    "thread_canned": "定型文",
    "thread_use_canned": "入力欄に入れる",
    "thread_canned_fits": "★ ",
    "thread_claimed_by_other": "{name} さんが担当しています。",
    "thread_take_over": "担当を引き継ぐ",
    "thread_claim": "担当する",
    "thread_resolve": "相談を終了する（ボットに戻す）",
    "thread_resolve_with_text": "相談を終了する（入力中の文を最後のメッセージとして送る）",
    "resolve_title": "相談 #{id} を終了しますか",
    "resolve_question": "終了すると、相談者には自動応答に戻ることが伝わります。",
    "resolve_closing_message": "最後のメッセージとして、次の文を送ります。",
    "resolve_no_closing_message": "最後のメッセージは送りません。",
    "resolve_confirm": "終了する",
    "resolve_cancel": "やめて相談に戻る",
    "thread_facts": "世帯の情報",
    "thread_no_facts": "未入力",
    "thread_programs": "提案した制度",
    "thread_certainty": "（{certainty}）",
    "thread_contact": "窓口：{contact}",
    "thread_no_programs": "なし",
    "thread_unsent": "送れなかった返信（この相談は終了しています。必要ならコピーしてください）",
    "thread_unsent_discard": "この文を消す",
    "thread_earlier": "この相談者の以前の相談",
    "thread_no_earlier": "以前の相談はありません。",
    "thread_later": "この相談者のその後の相談",
    # The bot's latest note for the counselor (crisis words while they were writing), atop the thread.
    "thread_alert": "{time} 自動のお知らせ：{text}",
    "thread_returned_after": "この相談者の緊急の相談（#{id}）が終了してから{days}日で、"
    "新しい相談が届いています。前の相談の経過を確認してください。",
    "thread_notes": "メモ（相談者には見えません）",
    "thread_no_notes": "メモはありません。",
    "thread_add_note": "メモを追加",
    "thread_add_note_submit": "追加",
    "accounts_title": "アカウント管理",
    "accounts_add": "追加",
    "accounts_name": "名前",
    "accounts_password": "初期パスワード（8文字以上）",
    "accounts_role": "役割",
    "accounts_add_submit": "追加",
    "accounts_list": "一覧",
    "accounts_state": "状態",
    "accounts_actions": "操作",
    "accounts_active": "有効",
    "accounts_inactive": "無効",
    "accounts_locked": "（ロック {until}まで）",
    "accounts_disable": "無効にする",
    "accounts_enable": "有効にする",
    "accounts_new_password": "新しいパスワード",
    "accounts_new_password_for": "{name} の新しいパスワード",
    "accounts_reset": "再設定",
    "audit_title": "監査ログ",
    "audit_at": "日時",
    "audit_actor": "誰が",
    "audit_action": "操作",
    "audit_thread": "相談",
    "audit_detail": "詳細",
    "audit_empty": "記録はありません。",
    "audit_newer": "← 新しい記録",
    "audit_older": "古い記録 →",
    "base_nav_report": "答えられなかった質問",
    "report_title": "答えられなかった質問",
    "report_lead": "自信を持って答えられなかった質問、相談員につないだ質問、"
    "「役に立たなかった」と言われた質問です。"
    "電話番号・メールアドレス・氏名は伏せ、年齢は学年の目安に置き換えています。",
    "report_since": "この日を含む週から",
    "report_show": "表示",
    "report_empty": "該当する質問はありません。",
    "report_count": "{count}件",
    "report_no_program": "（近い制度なし）",
    "report_week": "週",
    "report_asked_at": "日時",
    "report_question": "質問（伏せ字）",
    "report_source": "出典",
    "report_reasons": "理由",
    "report_reason_separator": "・",
    "report_feedback_title": "回答への評価",
    "report_by_program": "制度ごと",
    "report_by_source": "出典ごと",
    "report_helpful": "役に立った",
    "report_unhelpful": "役に立たなかった",
    "report_feedback_empty": "評価はまだありません。",
    "base_nav_notices": "お知らせ配信",
    "notices_title": "お知らせ配信",
    "notices_lead": "お知らせを登録した方だけに、LINEでお知らせを送ります。"
    "ブロックした方やデータを削除した方には送りません。",
    "notices_write": "お知らせを書く",
    "notices_topic": "種類",
    "notices_topic_option": "{label}（登録 {count}人）",
    "notices_text": "本文",
    "notices_text_hint": "1行目には自動で「寄り添いからのお知らせ」が入ります。通知や共有のスマートフォンに"
    "見えても困らない書き方にしてください。",
    "notices_when": "送信日時",
    "notices_when_hint": "空欄のときは、送信を押したらすぐに送ります（日本時間）。",
    "notices_preview": "プレビュー",
    "notices_runs": "配信の記録",
    "notices_run_id": "番号",
    "notices_status": "状態",
    "notices_sent": "送信",
    "notices_failed": "失敗",
    "notices_skipped": "対象外",
    "notices_none": "まだ配信はありません。",
    "notices_quota_title": "今月のメッセージ数（LINE）",
    "notices_quota_line": "上限 {limit}通、使用 {used}通、残り {remaining}通",
    "notices_quota_unlimited": "上限なし、使用 {used}通",
    "notices_quota_unknown": "LINEから今月のメッセージ数を取得できませんでした。",
    "notice_preview_title": "お知らせのプレビュー",
    "notice_preview_recipients": "送信先",
    "notice_preview_count": "{count}人（いま登録している方）",
    "notice_preview_over_quota": "今月の残り（{remaining}通）より送信先（{count}人）が多いため、"
    "上限に達したところで配信が止まります。",
    "notice_preview_phone": "スマートフォンでの見え方",
    "notice_preview_alt": "通知とトーク一覧の表示：",
    "notice_preview_send": "この内容で送信する",
    "notice_preview_edit": "修正する",
    "notice_run_title": "お知らせ配信 #{id}",
    "notice_run_targeted": "送信先",
    "notice_run_by": "作成",
    "notice_run_cancel": "配信を取り消す",
    "notice_run_resume": "残りを送信する",
    "notice_run_back": "お知らせ配信に戻る",
    "base_nav_content": "コンテンツ",
    "content_title": "コンテンツ（制度の文書と額）",
    "content_lead": "回答に使う文書と公式の額を、開発者なしで最新に保ちます。"
    "変更はすべて監査ログに残ります。",
    "content_check_title": "点検",
    "content_check_as_of": "{date}時点の点検（文書{count}件と額）",
    "content_check_ok": "直す必要のある問題も、古くなった額もありません。",
    "content_errors_title": "直す必要がある問題",
    "content_error_line": "{where}: {detail}",
    "content_lapsed": "{program}: 最新の額は{newest}からのものですが、{year}年度が{start}に始まりました。"
    "毎年4月に改定されるため、{newest}の額は古くなっている可能性があります。公式のページで{year}年度"
    "（令和{reiwa}年度）の額を確かめ、出典とともに{start}からの額を追加してください。",
    "content_import_title": "保存したページやPDFを取り込む",
    "content_import_lead": "取り込むと下書きになります。"
    "原本の金額・電話番号・日付・住所が下書きにあるかを照合してから公開します。",
    "content_file": "ファイル（保存したHTMLページまたはPDF）",
    "content_doc_title": "題名",
    "content_jurisdiction": "自治体（国・石川県・金沢市 など）",
    "content_date": "情報の日付",
    "content_publisher": "発行元（空欄なら自治体名）",
    "content_kind": "種類",
    "content_kind_any": "（指定なし）",
    "content_import_submit": "取り込む",
    "content_drafts_title": "確認待ちの下書き",
    "content_drafts_empty": "下書きはありません。",
    "content_draft_facts": "原本の事実 {found}/{total}件が下書きにあります",
    "content_library_title": "回答に使う文書",
    "content_library_name": "名前",
    "content_library_doc": "題名",
    "content_library_status": "状態",
    "content_amounts_title": "公式の額",
    "content_amounts_newest": "最新: {date}から（出典: {source}）",
    "content_amounts_add": "額を追加",
    "draft_title": "下書きの確認: {title}",
    "draft_fidelity_title": "原本との照合",
    "draft_all_found": "原本の金額・電話番号・日付・住所は、すべて下書きにあります。",
    "draft_missing": "原本にあって下書きにない事実が{count}件あります。公開の前に加えてください。",
    "draft_fact_kind": "種類",
    "draft_fact_text": "原本の記載",
    "draft_fact_found": "下書きに",
    "draft_found_yes": "あり",
    "draft_found_no": "なし",
    "draft_problems": "このままでは公開できません",
    "draft_source": "原本のテキスト（{file}）",
    "draft_markdown": "下書き（Markdown、先頭は題名・発行元・自治体・日付）",
    "draft_save": "保存",
    "draft_publish": "保存して公開",
    "draft_discard": "下書きを破棄",
    "draft_back": "コンテンツに戻る",
    "amounts_title": "{program}の額を追加",
    "amounts_lead": "最新の額（{date}から、{unit}）を入れてあります。"
    "公式のページで読んだ額に直し、適用開始日と出典を入れてください。",
    "amounts_from": "適用開始日",
    "amounts_source": "出典（読んだページの名前とURL、必須）",
    "amounts_notes": "注記（1行に1つ）",
    "amounts_submit": "追加",
    "content_contacts_title": "窓口（問い合わせ先）",
    "content_contacts_lead": "住んでいる地域ごとに、回答とおすすめの制度が案内する窓口です。"
    "市の窓口を入れると標準の窓口に代わり、前の電話番号は案内しなくなります。",
    "content_contact_place": "地域（市区町村または都道府県）",
    "content_contact_window": "窓口の名前",
    "content_contact_phone": "電話番号",
    "content_contact_hours": "受付時間（任意）",
    "content_contact_address": "所在地（任意）",
    "content_contact_source": "出典（読んだページの名前とURL、必須）",
    "content_contact_submit": "窓口を保存",
    "content_contact_status": "状態",
}

DATE_FORMAT = "{year}年{month}月{day}日"

# Content pages: why input was refused (by the code the desk or the form gives).
CONTENT_ERRORS = {
    "invalid": "入力を受け付けられませんでした。内容を確かめてください。",
    "no_file": "取り込むファイルを選んでください。",
    "empty_file": "ファイルが空です。保存し直したファイルを選んでください。",
    "unsupported_file": "取り込めるのは保存したHTMLページ（.html、.htm）とPDF（.pdf）だけです。",
    "not_a_pdf": "このファイルはPDFではありません（名前は.pdfですが、中身が違います）。",
    "unreadable_file": "ファイルを読み取れませんでした。"
    "文字を選べるPDFか、保存したHTMLページを選んでください。",
    "missing_fields": "題名と自治体を入れてください。",
    "bad_date": "日付は 2026-04-01 の形で入れてください。",
    "no_source": "出典を入れてください。どのページで読んだ額かがわからないと追加できません。",
    "bad_amount": "額は整数（円）で入れてください。",
    "period_exists": "この適用開始日の額はもうあります。別の日付を入れてください。",
    "bad_period": "この額は読み込めませんでした。",
    "bad_draft": "下書きが空か、長すぎるか、使えない文字を含んでいます。",
    "no_draft": "この下書きはもうありません（公開または破棄されました）。",
    "draft_not_publishable": "公開できませんでした。"
    "下の「このままでは公開できません」にある点を直してください。",
    "contact_unknown_place": "この地域は登録されている都道府県・市区町村にありません。"
    "「金沢市」「石川県」のように入れてください。",
    "contact_no_window": "窓口の名前を入れてください。",
    "contact_no_phone": "電話番号を入れてください。",
    "contact_bad_phone": "電話番号の形が正しくありません。"
    "076-220-2285 のように、市外局番から入れてください。",
    "contact_no_source": "出典を入れてください。どのページで読んだ窓口かがわからないと保存できません。",
    "contact_too_long": "長すぎる項目があります。短くしてください。",
}

# `docs check` findings as the content pages say them (by the code knowledge.checking gives each finding).
CHECK_PROBLEMS = {
    "no_front_matter_key": "先頭の項目に「{key}」がありません。",
    "no_source_date": "先頭の項目に情報の日付（source_date）がありません。2026-04-01 の形で入れてください。",
    "bad_source_date": "情報の日付「{date}」を日付として読めません。2026-04-01 の形で入れてください。",
    "bad_kind": "種類「{kind}」は使えません。program（制度の案内）、law（要綱・規則）、plan（計画・報告）の"
    "どれかにしてください。",
    "bad_phone_digits": "電話番号「{number}」は{digits}桁です（{expected}桁のはずです）。"
    "原本と見比べてください。",
    "bad_short_dial": "短縮番号「{number}」は、#と4桁の数字で書いてください（#8008 など）。",
    "unreadable": "文書として読めません。"
    "先頭の項目（題名・発行元・自治体・日付）の書き方を確かめてください。",
    "amounts_unreadable": "額のデータを読み込めません。開発者にお知らせください。",
    "periods_unreadable": "市が追加した額を、標準の額と合わせて読み込めません。開発者にお知らせください。",
    "no_programs": "額のデータに制度がありません。開発者にお知らせください。",
    "no_periods": "額の期間がひとつもありません。",
    "bad_period_start": "適用開始日「{start}」を日付として読めません。",
    "period_no_source": "{start}からの額に出典がありません。",
    "contact_unknown_place": "この地域は、登録されている都道府県・市区町村にありません"
    "（窓口は使われていません）。",
    "contact_no_window": "窓口の名前がありません。",
    "contact_no_phone": "窓口の電話番号がありません。",
    "contact_bad_phone": "窓口の電話番号の形が正しくありません。",
    "contact_no_source": "窓口の出典がありません。",
    "contact_too_long": "窓口に長すぎる項目があります。",
    "unknown": "点検で問題が見つかりました。開発者にお知らせください。",
}
# Names of the front matter's fields in CHECK_PROBLEMS["no_front_matter_key"].
FRONT_MATTER_LABELS = {
    "title": "題名（title）",
    "publisher": "発行元（publisher）",
    "jurisdiction": "自治体（jurisdiction）",
}
CONTENT_STATUS_LABELS = {
    "shipped": "標準",
    "overridden": "市の版で置き換え",
    "added": "市が追加",
    "draft": "下書き",
}
FACT_KIND_LABELS = {"amount": "金額", "phone": "電話番号", "date": "日付", "address": "住所"}
KIND_LABELS = {"program": "制度の案内", "law": "要綱・規則", "plan": "計画・報告"}
BAND_LABELS = {"first": "児童1人目", "second": "2人目の加算", "third": "3人目以降の加算（1人につき）"}
BAND_PART_LABELS = {"full": "全部支給", "low": "一部支給（下限）", "high": "一部支給（上限）"}

# Why a question is on the report.
REPORT_REASON_LABELS = {
    "not_confident": "答えに自信なし",
    "escalated": "相談員へ案内",
    "unhelpful": "役に立たなかった",
}

# Labels for values the dashboard displays.
STATUS_LABELS = {"waiting": "未対応", "claimed": "対応中", "resolved": "終了", "deleted": "削除済み"}
REASON_LABELS = {
    "crisis": "危機の訴え",
    "request": "相談員を希望",
    "offer": "回答できなかった質問",
    "deleted": "相談者がデータを削除",
}
# Crisis kinds (handoff/crisis.yaml) as staff read them: dashboard and alerts. "abuse" is the old name of
# child_abuse_risk/child_abuse_other, kept for threads opened before the split.
CATEGORY_LABELS = {
    "danger": "身の危険",
    "suicide": "自殺のおそれ",
    "self_harm": "自傷・過量服薬",
    "sexual_violence": "性暴力",
    "dv": "DV",
    "child_abuse_risk": "子どもを傷つけてしまうおそれ",
    "child_abuse_other": "子どもが暴力を受けている",
    "no_place_tonight": "今夜いる場所がない",
    "despair": "追いつめられている",
    "abuse": "虐待",
}
SENDER_LABELS = {"resident": "相談者", "bot": "ボット", "counselor": "相談員"}
ROLE_LABELS = {"counselor": "相談員", "admin": "管理者"}
FACT_LABELS = {
    "parent": "保護者",
    "situation": "状況",
    "municipality": "市区町村",
    "children_ages": "子ども",
    "children": "子ども",
    "child_allowance": "児童扶養手当",
    "resident_tax": "住民税",
    "employment": "仕事",
    "needs": "困りごと",
    "circumstances": "事情",
}
CERTAINTY_LABELS = {"likely": "該当の可能性が高い", "possible": "該当するかもしれない"}

# --- Masking residents' questions in staff lists (handoff.masking) ---------------------------------------
MASK_PHONE = "［電話番号］"
MASK_EMAIL = "［メール］"
MASK_NAME = "［名前］"
MASK_POSTAL_CODE = "［郵便番号］"
MASK_STREET_NUMBER = "［番地］"
# An age becomes the school stage it falls in: (oldest age in the stage, how the stage is shown).
AGE_STAGES = (
    (2, "乳幼児（0〜2歳）"),
    (5, "未就学児（3〜5歳）"),
    (11, "小学生"),
    (14, "中学生"),
    (17, "高校生年代"),
)
AGE_ADULT = "18歳以上"
AGE_INFANT_MONTHS = "乳児"

# --- Opt-in notices (handoff.notices); topics themselves live in notice_topics.yaml --------------------
NOTICE_HEADING = "寄り添いからのお知らせ"
NOTICE_FOOTER = "お知らせを止めるときは「お知らせを止めて」と送ってください。"
NOTICE_SUBSCRIBED = (
    "「{label}」のお知らせを登録しました。時期が来たら、このトークでお知らせします。"
    "止めるときは「お知らせを止めて」と送ってください。"
)
NOTICE_ALREADY_SUBSCRIBED = "「{label}」のお知らせは、すでに登録されています。"
NOTICE_CHOOSE_TOPIC = "どのお知らせを受け取りますか？下のボタンから選んでください。"
NOTICE_TOPIC_LINE = "・{label}：{description}"
NOTICE_UNSUBSCRIBED_ONE = "「{label}」のお知らせを止めました。"
NOTICE_UNSUBSCRIBED_ALL = (
    "お知らせをすべて止めました。また受け取りたいときは「お知らせがほしい」と送ってください。"
)
NOTICE_NOTHING_TO_STOP = "いま登録されているお知らせはありません。"
NOTICE_LIST_HEADER = "いま登録されているお知らせ："
NOTICE_LIST_LINE = "・{label}"
NOTICE_LIST_EMPTY = (
    "いま登録されているお知らせはありません。受け取りたいときは「お知らせがほしい」と送ってください。"
)
NOTICE_LIST_FOOTER = "止めるときは「お知らせを止めて」と送ってください。"
NOTICE_MENU_LABEL = "お知らせの登録"
NOTICE_STOP_LABEL = "お知らせを止める"
# Household fact values as the counselor reads them (the facts vocabulary of the household check).
FACT_VALUE_LABELS: dict[str, dict[str, str]] = {
    "parent": {
        "mother": "母（母子家庭）",
        "father": "父（父子家庭）",
        "widow": "寡婦",
        "guardian": "祖父母など養育者",
    },
    "situation": {
        "single": "ひとり親（離婚・未婚など）",
        "considering_divorce": "離婚を考えている",
        "separated": "別居中",
        "bereaved": "配偶者と死別",
    },
    "child_allowance": {"receiving": "受給中", "applying": "申請中", "not_receiving": "受給していない"},
    "resident_tax": {"exempt": "非課税", "taxed": "課税"},
    "employment": {
        "full_time": "正社員",
        "part_time": "パート・アルバイト",
        "self_employed": "自営業",
        "job_seeking": "求職中",
        "not_working": "働いていない",
    },
    "needs": {
        "money": "生活費",
        "loan": "貸付",
        "job": "仕事",
        "qualification": "資格取得",
        "childcare": "保育・預け先",
        "education": "教育・進学",
        "housing": "住まい",
        "child_support": "養育費",
        "medical": "医療費",
        "legal": "離婚・法律",
        "dv": "DV・身の安全",
    },
    "circumstances": {"dv": "DV", "traffic_accident": "交通事故", "disaster": "災害", "illness": "病気"},
}
FACT_SEPARATOR = "、"
CHILD_AGE = "{age}歳"
CHILD_STAGE_AND_AGE = "{stage}（{age}歳）"
UNKNOWN_VALUE = "（不明な値）"

# Delivery states of a message pushed to the resident; a failure shows LINE's HTTP status after the label.
DELIVERY_LABELS = {"delivered": "届きました", "sending": "送信中", "failed": "送れませんでした"}
DELIVERY_FAILED_DETAIL = "{label}（{detail}）"

# Audit log actions.
AUDIT_ACTION_LABELS = {
    "login": "ログイン",
    "login_failed": "ログイン失敗",
    "login_locked": "ログイン拒否（ロック中）",
    "logout": "ログアウト",
    "password_changed": "パスワード変更",
    "view": "閲覧",
    "open": "相談の開始",
    "escalate": "緊急に変更",
    "claim": "担当",
    "reply": "返信",
    "note": "メモ",
    "resolve": "終了",
    "forget": "相談者によるデータ削除",
    "purge": "保存期間による削除",
    "account_add": "アカウント追加",
    "account_disable": "アカウント無効化",
    "account_enable": "アカウント有効化",
    "account_reset_password": "パスワード再設定",
    "report_view": "質問レポートの閲覧",
    "notice_preview": "お知らせのプレビュー",
    "notice_schedule": "お知らせの予約",
    "notice_start": "お知らせの送信開始",
    "notice_done": "お知らせの送信完了",
    "notice_stopped": "お知らせの送信停止",
    "notice_cancel": "お知らせの取り消し",
    "notice_resume": "お知らせの送信再開",
    "content_view": "コンテンツの点検の閲覧",
    "content_import": "文書の取り込み",
    "content_draft_view": "下書きの閲覧",
    "content_draft_save": "下書きの保存",
    "content_publish": "文書の公開",
    "content_discard": "下書きの破棄",
    "content_amounts_add": "額の追加",
    "content_contact_set": "窓口の保存",
}

# The audit log's details (key=value, as recorded) as a reader sees them; a key not listed stays as it is.
AUDIT_DETAIL_KEYS = {
    "reason": "理由",
    "urgent": "緊急",
    "message": "メッセージ番号",
    "delivery": "送信状況",
    "note": "メモ番号",
    "from": "前の担当",
    "account": "アカウント",
    "role": "役割",
    "threads": "相談",
    "messages": "メッセージ",
    "since": "期間の始め",
    "topic": "お知らせの種類",
    "run": "配信番号",
    "recipients": "送信先",
    "sent": "送信済み",
    "failed": "失敗",
    "skipped": "対象外",
    "at": "予定日時",
    "today": "基準日",
    "draft": "下書き",
    "document": "文書",
    "place": "地域",
    "phone": "電話番号",
    "program": "制度",
    "handoff_threads": "相談",
    "handoff_messages": "メッセージ",
    "handoff_notes": "メモ",
    "handoff_alerts": "緊急連絡",
}
# The report's weeks, by the Monday they begin.
WEEK_FROM = "{month}月{day}日（月）からの週"
AUDIT_DETAIL_VALUES = {"monthly_limit": "LINEの今月の上限"}
AUDIT_DETAIL_ITEM = "{key}：{value}"
AUDIT_DETAIL_SEPARATOR = "、"
AUDIT_YES_NO = {"1": "はい", "0": "いいえ"}
# Who did it, when not a counselor's account: the system's own actors in the audit log.
AUDIT_ACTOR_LABELS = {
    "bot": "ボット（自動）",
    "resident": "相談者",
    "retention": "保存期間による自動削除",
    "cli": "管理コマンド",
}
# A crisis kind this version has no label for (a city added it to crisis.yaml): said plainly, not as a code.
CATEGORY_UNKNOWN = "その他の危機の訴え"
# Error pages whose cause gave no sentence of its own (HTTP status → what the counselor reads).
HTTP_ERRORS = {
    400: "この操作は受け付けられませんでした。画面を読み込み直してから、もう一度お試しください。",
    403: "このページを見る権限がありません。",
    404: "見つかりません。",
    405: "この操作は受け付けられませんでした。画面を読み込み直してから、もう一度お試しください。",
    429: "操作が続いたため、少し時間をおいてからお試しください。",
}
HTTP_ERROR_OTHER = "エラーが起きました。少し時間をおいてから、もう一度お試しください。"
AUDIT_NOT_SET = "なし"

# Notice runs as admins see them.
NOTICE_STATUS_LABELS = {
    "scheduled": "予約済み",
    "sending": "送信中",
    "done": "送信完了",
    "stopped": "停止",
    "cancelled": "取り消し",
}
NOTICE_STOP_REASONS = {
    "monthly_limit": "LINEの今月のメッセージ上限に達したため、配信を止めました（{sent}人に送信済み）。"
    "上限を上げるか翌月になってから「残りを送信する」を押してください。",
}
# A stop reason this version does not know (a newer node's): said plainly, never as its code.
NOTICE_STOP_UNKNOWN = "配信が途中で止まりました（{sent}人に送信済み）。「残りを送信する」で再開できます。"

# The thread list: a resident who deleted their data leaves only this line behind.
THREAD_DELETED = "相談者がデータを削除しました"
