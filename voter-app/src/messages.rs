//! The app's own words in every language it speaks: English, Estonian, Thai and Russian.
//!
//! The manifest gives the election's names (titles, districts, candidates) in the election's
//! languages; this catalog gives everything the app says around them: the screens, the
//! prompts, the contests' rules and what is wrong with a choice. A message is a [`Msg`] id;
//! [`text`] gives its template in a [`Lang`], with `{name}` placeholders that [`fill`]
//! replaces. Pure data, no I/O and no dependency, so that another front end (the browser
//! booth) can show the same words.
//!
//! Texts avoid forms that change with a number (Russian has three), e.g. "votes so far: 2"
//! rather than "2 votes". Every language has every message, with the same placeholders as
//! the English one (tested below). Errors the app says in the catalog's words
//! ([`crate::error::AppError::in_language`]) are those a voter meets most: a cancelled vote,
//! the receipt's folder, the passphrase, the collector unreachable or not proven, a vote
//! refused twice, a file that is not a certificate or key; the others (the collector's, the
//! e-ID library's, the rarer ones of the app) are English, after the stable code.

/// A language of the app's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English (the default).
    En,
    /// Estonian.
    Et,
    /// Thai.
    Th,
    /// Russian.
    Ru,
}

impl Lang {
    /// Every language, in the catalog's order.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Et, Lang::Th, Lang::Ru];

    /// The language for a code (`et`; a region is ignored: `et-EE`), if the app speaks it.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split('-').next().unwrap_or_default();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The language's code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Et => "et",
            Lang::Th => "th",
            Lang::Ru => "ru",
        }
    }

    /// The app's words in the language of `code`, English if the app does not speak it.
    pub fn or_english(code: &str) -> Lang {
        Lang::from_code(code).unwrap_or(Lang::En)
    }
}

/// A message of the app (its English text, in `catalog`, says what it is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    YourDistrict,
    PromptMarks,
    PromptValues,
    PleaseCheck,
    Casting,
    NothingChosen,
    TestVote,
    CastQuestion,
    ChallengeRetry,
    RevoteOnce,
    RevoteMany,
    Recorded,
    RecordedRecovered,
    VoteNumber,
    LogPosition,
    ReceiptSaved,
    ReceiptNotSaved,
    NoReceipt,
    TrackingCode,
    VerificationCode,
    Superseded,
    VerifiedHeader,
    ThisOneCounts,
    NotHowYouVoted,
    RulePluralityBlank,
    RulePlurality,
    RuleApprovalExactly,
    RuleApprovalAtMost,
    RuleApprovalRange,
    RuleScore,
    RuleCumulative,
    BadChoice,
    NotAllowed,
    OnlyOnce,
    TooManyExactly,
    TooManyAtMost,
    NothingExactly,
    NothingAtLeast,
    TooFewExactly,
    TooFewAtLeast,
    ScoreTooHigh,
    ScoresTooMany,
    PointsTooMany,
    PointsTooManyInAll,
    NotWholeNumber,
    OnlyNumbers,
    TypePairs,
    NotInRange,
    GivenTwice,
    Refused,
    CouldNotRun,
    DetailForSupport,
    Cancelled,
    ReceiptNotWritable,
    PassphrasePrompt,
    PassphraseRetry,
    WrongPassphraseTries,
    WrongPassphraseFile,
    Unreachable,
    Untrusted,
    RefusedTwice,
    NotACertificate,
    NotAKey,
}

impl Msg {
    /// Every message (for the catalog's tests and for whoever exports it).
    pub const ALL: [Msg; 63] = [
        Msg::YourDistrict,
        Msg::PromptMarks,
        Msg::PromptValues,
        Msg::PleaseCheck,
        Msg::Casting,
        Msg::NothingChosen,
        Msg::TestVote,
        Msg::CastQuestion,
        Msg::ChallengeRetry,
        Msg::RevoteOnce,
        Msg::RevoteMany,
        Msg::Recorded,
        Msg::RecordedRecovered,
        Msg::VoteNumber,
        Msg::LogPosition,
        Msg::ReceiptSaved,
        Msg::ReceiptNotSaved,
        Msg::NoReceipt,
        Msg::TrackingCode,
        Msg::VerificationCode,
        Msg::Superseded,
        Msg::VerifiedHeader,
        Msg::ThisOneCounts,
        Msg::NotHowYouVoted,
        Msg::RulePluralityBlank,
        Msg::RulePlurality,
        Msg::RuleApprovalExactly,
        Msg::RuleApprovalAtMost,
        Msg::RuleApprovalRange,
        Msg::RuleScore,
        Msg::RuleCumulative,
        Msg::BadChoice,
        Msg::NotAllowed,
        Msg::OnlyOnce,
        Msg::TooManyExactly,
        Msg::TooManyAtMost,
        Msg::NothingExactly,
        Msg::NothingAtLeast,
        Msg::TooFewExactly,
        Msg::TooFewAtLeast,
        Msg::ScoreTooHigh,
        Msg::ScoresTooMany,
        Msg::PointsTooMany,
        Msg::PointsTooManyInAll,
        Msg::NotWholeNumber,
        Msg::OnlyNumbers,
        Msg::TypePairs,
        Msg::NotInRange,
        Msg::GivenTwice,
        Msg::Refused,
        Msg::CouldNotRun,
        Msg::DetailForSupport,
        Msg::Cancelled,
        Msg::ReceiptNotWritable,
        Msg::PassphrasePrompt,
        Msg::PassphraseRetry,
        Msg::WrongPassphraseTries,
        Msg::WrongPassphraseFile,
        Msg::Unreachable,
        Msg::Untrusted,
        Msg::RefusedTwice,
        Msg::NotACertificate,
        Msg::NotAKey,
    ];
}

/// The template of `msg` in `lang`.
pub fn text(msg: Msg, lang: Lang) -> &'static str {
    let [en, et, th, ru] = catalog(msg);
    match lang {
        Lang::En => en,
        Lang::Et => et,
        Lang::Th => th,
        Lang::Ru => ru,
    }
}

/// `msg` in `lang` with its placeholders filled: `("n", "2")` replaces `{n}`.
pub fn fill(msg: Msg, lang: Lang, args: &[(&str, &str)]) -> String {
    args.iter()
        .fold(text(msg, lang).to_owned(), |s, (name, value)| {
            s.replace(&format!("{{{name}}}"), value)
        })
}

/// Each message in English, Estonian, Thai and Russian.
fn catalog(msg: Msg) -> [&'static str; 4] {
    match msg {
        Msg::YourDistrict => [
            "Your district: {district}",
            "Teie valimisringkond: {district}",
            "เขตเลือกตั้งของคุณ: {district}",
            "Ваш избирательный округ: {district}",
        ],
        Msg::PromptMarks => [
            "Type the number(s) of your choice, then Enter: ",
            "Sisestage oma valiku number (või numbrid) ja vajutage Enter: ",
            "พิมพ์หมายเลขที่คุณเลือก แล้วกด Enter: ",
            "Введите номер (или номера) вашего выбора и нажмите Enter: ",
        ],
        Msg::PromptValues => [
            "Type NUMBER=VALUE for each choice (e.g. 1=2 3=1), then Enter: ",
            "Sisestage iga valiku kohta NUMBER=VÄÄRTUS (nt 1=2 3=1) ja vajutage Enter: ",
            "พิมพ์ หมายเลข=ค่า สำหรับแต่ละตัวเลือก (เช่น 1=2 3=1) แล้วกด Enter: ",
            "Введите НОМЕР=ЗНАЧЕНИЕ для каждого выбора (например, 1=2 3=1) и нажмите Enter: ",
        ],
        Msg::PleaseCheck => [
            "Please check your vote:",
            "Palun kontrollige oma häält:",
            "โปรดตรวจสอบการลงคะแนนของคุณ:",
            "Пожалуйста, проверьте свой голос:",
        ],
        Msg::Casting => ["Casting:", "Antav hääl:", "คะแนนที่จะลง:", "Ваш голос:"],
        Msg::NothingChosen => [
            "(nothing chosen)",
            "(midagi pole valitud)",
            "(ไม่ได้เลือก)",
            "(ничего не выбрано)",
        ],
        Msg::TestVote => [
            "Voting has not started yet: this is a TEST vote. It is recorded like a vote, but \
             it will never count.",
            "Hääletamine pole veel alanud: see on PROOVIHÄÄL. See salvestatakse nagu hääl, kuid \
             seda ei loeta kunagi.",
            "การลงคะแนนยังไม่เริ่ม: นี่คือการลงคะแนนเพื่อทดสอบ ระบบจะบันทึกไว้เหมือนการลงคะแนน \
             แต่จะไม่นับเด็ดขาด",
            "Голосование ещё не началось: это ПРОБНЫЙ голос. Он записывается как голос, но \
             никогда не будет учтён.",
        ],
        Msg::CastQuestion => [
            "Cast this vote? Type y and Enter to cast, anything else to stop: ",
            "Kas annate selle hääle? Hääle andmiseks sisestage y ja vajutage Enter, \
             loobumiseks sisestage midagi muud: ",
            "ลงคะแนนนี้หรือไม่? พิมพ์ y แล้วกด Enter เพื่อลงคะแนน หรือพิมพ์อย่างอื่นเพื่อยกเลิก: ",
            "Отдать этот голос? Введите y и нажмите Enter, чтобы проголосовать, или что-либо \
             другое, чтобы отказаться: ",
        ],
        Msg::ChallengeRetry => [
            "The collector did not accept this voting session [{code}] (it may have \
             restarted); nothing was recorded. Sending your vote again in a new session...",
            "Häälte koguja ei võtnud seda hääletusseanssi vastu [{code}] (see võis olla \
             taaskäivitatud); midagi ei salvestatud. Saadan teie hääle uuesti uues seansis...",
            "ระบบรับคะแนนไม่ยอมรับเซสชันการลงคะแนนนี้ [{code}] (ระบบอาจเพิ่งเริ่มทำงานใหม่) \
             ยังไม่มีการบันทึกใด ๆ กำลังส่งคะแนนของคุณอีกครั้งในเซสชันใหม่...",
            "Сервер сбора голосов не принял этот сеанс голосования [{code}] (возможно, он был \
             перезапущен); ничего не записано. Отправляю ваш голос снова в новом сеансе...",
        ],
        Msg::RevoteOnce => [
            "You have already voted in this election (once). You may vote again: your new \
             vote replaces the earlier one, and only your last vote counts.",
            "Te olete neil valimistel juba hääletanud (üks kord). Võite uuesti hääletada: uus \
             hääl asendab varasema ja arvesse läheb ainult teie viimane hääl.",
            "คุณได้ลงคะแนนในการเลือกตั้งนี้แล้ว (หนึ่งครั้ง) คุณลงคะแนนใหม่ได้: คะแนนใหม่จะแทนที่\
             คะแนนก่อนหน้า และจะนับเฉพาะคะแนนครั้งสุดท้ายของคุณเท่านั้น",
            "Вы уже голосовали на этих выборах (один раз). Вы можете проголосовать снова: новый \
             голос заменяет прежний, и учитывается только ваш последний голос.",
        ],
        Msg::RevoteMany => [
            "You have already voted in this election ({n} times). You may vote again: your new \
             vote replaces the earlier one, and only your last vote counts.",
            "Te olete neil valimistel juba hääletanud ({n} korda). Võite uuesti hääletada: uus \
             hääl asendab varasema ja arvesse läheb ainult teie viimane hääl.",
            "คุณได้ลงคะแนนในการเลือกตั้งนี้แล้ว ({n} ครั้ง) คุณลงคะแนนใหม่ได้: คะแนนใหม่จะแทนที่\
             คะแนนก่อนหน้า และจะนับเฉพาะคะแนนครั้งสุดท้ายของคุณเท่านั้น",
            "Вы уже голосовали на этих выборах (число голосований: {n}). Вы можете \
             проголосовать снова: новый голос заменяет прежний, и учитывается только ваш \
             последний голос.",
        ],
        Msg::Recorded => [
            "Your vote was recorded.",
            "Teie hääl on salvestatud.",
            "บันทึกคะแนนของคุณแล้ว",
            "Ваш голос записан.",
        ],
        Msg::RecordedRecovered => [
            "Your vote WAS recorded: the connection broke after the collector received it, \
             and the app found it in the collector's log.",
            "Teie hääl SALVESTATI: ühendus katkes pärast seda, kui häälte koguja oli selle \
             kätte saanud, ja rakendus leidis selle koguja logist.",
            "คะแนนของคุณได้รับการบันทึกแล้ว: การเชื่อมต่อขาดหายหลังจากระบบรับคะแนนได้รับคะแนนไปแล้ว \
             และแอปพบคะแนนนั้นในบันทึกของระบบรับคะแนน",
            "Ваш голос БЫЛ записан: связь прервалась после того, как сервер сбора голосов его \
             получил, и приложение нашло его в журнале сервера.",
        ],
        Msg::VoteNumber => [
            "This is your vote number {n}: it replaces your earlier vote.",
            "See on teie hääl number {n}: see asendab teie varasema hääle.",
            "นี่คือการลงคะแนนครั้งที่ {n} ของคุณ: จะแทนที่คะแนนก่อนหน้าของคุณ",
            "Это ваш голос номер {n}: он заменяет ваш прежний голос.",
        ],
        Msg::LogPosition => [
            "Position in the ballot box log: {n}",
            "Asukoht valimiskasti logis: {n}",
            "ลำดับในบันทึกหีบบัตร: {n}",
            "Позиция в журнале урны: {n}",
        ],
        Msg::ReceiptSaved => [
            "Receipt saved to: {path}",
            "Kviitung salvestati faili: {path}",
            "บันทึกใบรับไว้ที่: {path}",
            "Квитанция сохранена в файл: {path}",
        ],
        Msg::ReceiptNotSaved => [
            "The receipt could NOT be saved to {path} ({reason}). Your vote is recorded all \
             the same: write down the tracking code and keep the verification code below; \
             with them you can check your vote.",
            "Kviitungit EI õnnestunud salvestada faili {path} ({reason}). Teie hääl on \
             sellegipoolest salvestatud: kirjutage üles jälgimiskood ja hoidke alles allpool \
             olev kontrollkood; nendega saate oma häält kontrollida.",
            "ไม่สามารถบันทึกใบรับไว้ที่ {path} ได้ ({reason}) แต่คะแนนของคุณได้รับการบันทึกแล้ว: \
             โปรดจดรหัสติดตามไว้และเก็บรหัสตรวจสอบด้านล่าง คุณใช้รหัสเหล่านี้ตรวจสอบคะแนนของคุณได้",
            "Квитанцию НЕ удалось сохранить в {path} ({reason}). Ваш голос всё равно записан: \
             запишите код отслеживания и сохраните код проверки ниже; с их помощью вы сможете \
             проверить свой голос.",
        ],
        Msg::NoReceipt => [
            "No receipt was received; the log proof above stands for it.",
            "Kviitungit ei saadud; ülal olev logitõend asendab seda.",
            "ไม่ได้รับใบรับ หลักฐานจากบันทึกด้านบนใช้แทนใบรับได้",
            "Квитанция не получена; её заменяет приведённое выше доказательство из журнала.",
        ],
        Msg::TrackingCode => [
            "Ballot tracking code: {code}",
            "Sedeli jälgimiskood: {code}",
            "รหัสติดตามบัตรลงคะแนน: {code}",
            "Код отслеживания бюллетеня: {code}",
        ],
        Msg::VerificationCode => [
            "Verification code (check your vote on a second device with `voter-app verify`; \
             it can be used until {until} and at most {max} times; keep it private: it shows \
             how you voted):",
            "Kontrollkood (kontrollige oma häält teises seadmes käsuga `voter-app verify`; \
             seda saab kasutada kuni {until} ja kõige rohkem {max} korda; hoidke see enda \
             teada: see näitab, kuidas te hääletasite):",
            "รหัสตรวจสอบ (ตรวจสอบคะแนนของคุณบนอุปกรณ์เครื่องที่สองด้วย `voter-app verify` \
             ใช้ได้ถึง {until} และไม่เกิน {max} ครั้ง โปรดเก็บเป็นความลับ \
             เพราะรหัสนี้แสดงว่าคุณลงคะแนนอย่างไร):",
            "Код проверки (проверьте свой голос на втором устройстве командой `voter-app \
             verify`; им можно пользоваться до {until}, число проверок — не более {max}; \
             храните его в тайне: он показывает, как вы проголосовали):",
        ],
        Msg::Superseded => [
            "WARNING: this ballot is NOT your latest vote and does NOT count. It is your vote \
             number {seq}; a later vote, number {latest}, was cast with the same e-ID and \
             replaces it. If you did not cast a later vote, someone or something voted for you \
             (your device may be compromised): vote again from a device you trust and tell \
             the election officials.",
            "HOIATUS: see sedel EI OLE teie viimane hääl ja seda EI loeta. See on teie hääl \
             number {seq}; hilisem hääl, number {latest}, anti sama e-ID-ga ja see asendab \
             selle. Kui te hilisemat häält ei andnud, hääletas keegi või miski teie eest (teie \
             seade võib olla ohustatud): hääletage uuesti seadmest, mida usaldate, ja \
             teavitage valimiste korraldajaid.",
            "คำเตือน: บัตรนี้ไม่ใช่คะแนนล่าสุดของคุณ และจะไม่ถูกนับ นี่คือการลงคะแนนครั้งที่ {seq} \
             ของคุณ มีการลงคะแนนครั้งหลัง (ครั้งที่ {latest}) ด้วย e-ID เดียวกันซึ่งแทนที่บัตรนี้ \
             หากคุณไม่ได้ลงคะแนนครั้งหลังนั้น แสดงว่ามีบุคคลหรือสิ่งใดลงคะแนนแทนคุณ \
             (อุปกรณ์ของคุณอาจถูกเจาะระบบ): โปรดลงคะแนนใหม่จากอุปกรณ์ที่คุณไว้ใจ \
             และแจ้งเจ้าหน้าที่การเลือกตั้ง",
            "ВНИМАНИЕ: этот бюллетень НЕ является вашим последним голосом и НЕ учитывается. \
             Это ваш голос номер {seq}; более поздний голос, номер {latest}, был подан с тем же \
             e-ID и заменяет его. Если вы не подавали более поздний голос, кто-то или что-то \
             проголосовало за вас (ваше устройство может быть взломано): проголосуйте снова с \
             устройства, которому доверяете, и сообщите организаторам выборов.",
        ],
        Msg::VerifiedHeader => [
            "The collector holds this ballot, signed with your e-ID and in its log.\n\
             Signed by: {signer}\n\
             Received: {received} (your vote number {seq} of {latest})\n\
             District: {district}",
            "Häälte koguja hoiab seda sedelit: see on allkirjastatud teie e-ID-ga ja on koguja \
             logis.\n\
             Allkirjastaja: {signer}\n\
             Vastu võetud: {received} (teie hääl number {seq}, kokku {latest})\n\
             Ringkond: {district}",
            "ระบบรับคะแนนเก็บบัตรนี้ไว้ บัตรนี้ลงนามด้วย e-ID ของคุณและอยู่ในบันทึกของระบบ\n\
             ลงนามโดย: {signer}\n\
             ได้รับเมื่อ: {received} (การลงคะแนนครั้งที่ {seq} จากทั้งหมด {latest} ครั้งของคุณ)\n\
             เขตเลือกตั้ง: {district}",
            "Сервер сбора голосов хранит этот бюллетень: он подписан вашим e-ID и внесён в \
             журнал сервера.\n\
             Подписал: {signer}\n\
             Получен: {received} (ваш голос номер {seq} из {latest})\n\
             Округ: {district}",
        ],
        Msg::ThisOneCounts => [
            "No later vote of yours is in the ballot box: this one counts (unless you vote \
             again, or on paper).",
            "Valimiskastis pole teie hilisemat häält: see hääl läheb arvesse (kui te ei hääleta \
             uuesti ega paberil).",
            "ไม่มีคะแนนครั้งหลังของคุณในหีบบัตร: บัตรนี้จะถูกนับ (เว้นแต่คุณจะลงคะแนนใหม่ \
             หรือลงคะแนนด้วยบัตรกระดาษ)",
            "Более позднего вашего голоса в урне нет: этот голос учитывается (если вы не \
             проголосуете снова или на бумаге).",
        ],
        Msg::NotHowYouVoted => [
            "If this is not how you voted, vote again and tell the election officials.",
            "Kui te ei hääletanud nii, hääletage uuesti ja teavitage valimiste korraldajaid.",
            "หากนี่ไม่ใช่สิ่งที่คุณลงคะแนนไว้ โปรดลงคะแนนใหม่และแจ้งเจ้าหน้าที่การเลือกตั้ง",
            "Если вы голосовали не так, проголосуйте снова и сообщите организаторам выборов.",
        ],
        Msg::RulePluralityBlank => [
            "choose exactly one candidate, or the blank vote",
            "valige täpselt üks kandidaat või tühi hääl",
            "เลือกผู้สมัครหนึ่งคนเท่านั้น หรือบัตรเปล่า",
            "выберите ровно одного кандидата или пустой голос",
        ],
        Msg::RulePlurality => [
            "choose exactly one candidate",
            "valige täpselt üks kandidaat",
            "เลือกผู้สมัครหนึ่งคนเท่านั้น",
            "выберите ровно одного кандидата",
        ],
        Msg::RuleApprovalExactly => [
            "choose exactly {max}",
            "valige täpselt {max}",
            "เลือก {max} รายการพอดี",
            "выберите ровно {max}",
        ],
        Msg::RuleApprovalAtMost => [
            "choose at most {max}",
            "valige kõige rohkem {max}",
            "เลือกได้ไม่เกิน {max} รายการ",
            "выберите не более {max}",
        ],
        Msg::RuleApprovalRange => [
            "choose {min} to {max}",
            "valige {min} kuni {max}",
            "เลือก {min} ถึง {max} รายการ",
            "выберите от {min} до {max}",
        ],
        Msg::RuleScore => [
            "give each a score from 0 to {max_score}, at most {max_total} in total",
            "andke igaühele hinne 0 kuni {max_score}, kokku kõige rohkem {max_total}",
            "ให้คะแนนแต่ละรายการตั้งแต่ 0 ถึง {max_score} รวมกันไม่เกิน {max_total}",
            "оцените каждый вариант от 0 до {max_score}, в сумме не более {max_total}",
        ],
        Msg::RuleCumulative => [
            "share up to {points} points, at most {max_per} to one candidate",
            "jagage kuni {points} punkti, ühele kandidaadile kõige rohkem {max_per}",
            "แบ่งคะแนนได้ไม่เกิน {points} คะแนน ผู้สมัครแต่ละคนได้ไม่เกิน {max_per} คะแนน",
            "распределите не более {points} баллов, одному кандидату — не более {max_per}",
        ],
        Msg::BadChoice => [
            "\"{title}\": {what} (the rule: {rule})",
            "„{title}“: {what} (reegel: {rule})",
            "\"{title}\": {what} (กติกา: {rule})",
            "«{title}»: {what} (правило: {rule})",
        ],
        Msg::NotAllowed => [
            "these choices are not allowed",
            "need valikud pole lubatud",
            "ไม่อนุญาตให้เลือกแบบนี้",
            "такой выбор не допускается",
        ],
        Msg::OnlyOnce => [
            "{name} can be chosen only once",
            "„{name}“ saab valida ainult üks kord",
            "เลือก {name} ได้เพียงครั้งเดียว",
            "«{name}» можно выбрать только один раз",
        ],
        Msg::TooManyExactly => [
            "you chose {n}; this contest allows exactly {max}",
            "valisite {n}; siin saab valida täpselt {max}",
            "คุณเลือก {n} รายการ แต่ที่นี่ต้องเลือก {max} รายการพอดี",
            "вы выбрали {n}; здесь можно выбрать ровно {max}",
        ],
        Msg::TooManyAtMost => [
            "you chose {n}; this contest allows at most {max}",
            "valisite {n}; siin saab valida kõige rohkem {max}",
            "คุณเลือก {n} รายการ แต่ที่นี่เลือกได้ไม่เกิน {max} รายการ",
            "вы выбрали {n}; здесь можно выбрать не более {max}",
        ],
        Msg::NothingExactly => [
            "you chose nothing; this contest needs exactly {min}",
            "te ei valinud midagi; siin tuleb valida täpselt {min}",
            "คุณยังไม่ได้เลือก ที่นี่ต้องเลือก {min} รายการพอดี",
            "вы ничего не выбрали; здесь нужно выбрать ровно {min}",
        ],
        Msg::NothingAtLeast => [
            "you chose nothing; this contest needs at least {min}",
            "te ei valinud midagi; siin tuleb valida vähemalt {min}",
            "คุณยังไม่ได้เลือก ที่นี่ต้องเลือกอย่างน้อย {min} รายการ",
            "вы ничего не выбрали; здесь нужно выбрать не менее {min}",
        ],
        Msg::TooFewExactly => [
            "you chose {n}; this contest needs exactly {min}",
            "valisite {n}; siin tuleb valida täpselt {min}",
            "คุณเลือก {n} รายการ แต่ที่นี่ต้องเลือก {min} รายการพอดี",
            "вы выбрали {n}; здесь нужно выбрать ровно {min}",
        ],
        Msg::TooFewAtLeast => [
            "you chose {n}; this contest needs at least {min}",
            "valisite {n}; siin tuleb valida vähemalt {min}",
            "คุณเลือก {n} รายการ แต่ที่นี่ต้องเลือกอย่างน้อย {min} รายการ",
            "вы выбрали {n}; здесь нужно выбрать не менее {min}",
        ],
        Msg::ScoreTooHigh => [
            "you gave {name} a score of {value}; the highest score is {max}",
            "andsite valikule „{name}“ hinde {value}; suurim hinne on {max}",
            "คุณให้ {name} {value} คะแนน แต่คะแนนสูงสุดคือ {max}",
            "вы поставили «{name}» оценку {value}; наивысшая оценка — {max}",
        ],
        Msg::ScoresTooMany => [
            "your scores add up to {total}; they may add up to at most {max}",
            "teie hinnete summa on {total}; see võib olla kõige rohkem {max}",
            "คะแนนของคุณรวมกันได้ {total} แต่รวมกันได้ไม่เกิน {max}",
            "сумма ваших оценок — {total}; она может быть не более {max}",
        ],
        Msg::PointsTooMany => [
            "you gave {name} {value} points; one candidate may get at most {max}",
            "andsite kandidaadile „{name}“ {value} punkti; üks kandidaat võib saada kõige \
             rohkem {max}",
            "คุณให้ {name} {value} คะแนน แต่ผู้สมัครแต่ละคนได้ไม่เกิน {max} คะแนน",
            "вы дали кандидату «{name}» баллов: {value}; один кандидат может получить не более \
             {max}",
        ],
        Msg::PointsTooManyInAll => [
            "you gave {total} points in all; you have {points} to give",
            "andsite kokku {total} punkti; jagada saab {points}",
            "คุณให้คะแนนรวม {total} คะแนน แต่คุณมีคะแนนให้ได้ {points} คะแนน",
            "вы распределили баллов: {total}; всего можно распределить не более {points}",
        ],
        Msg::NotWholeNumber => [
            "`{value}` is not a whole number",
            "`{value}` ei ole täisarv",
            "`{value}` ไม่ใช่จำนวนเต็ม",
            "`{value}` — не целое число",
        ],
        Msg::OnlyNumbers => [
            "type only the numbers of your choices, not `{word}`",
            "sisestage ainult oma valikute numbrid, mitte `{word}`",
            "พิมพ์เฉพาะหมายเลขที่คุณเลือก ไม่ใช่ `{word}`",
            "введите только номера выбранных вариантов, а не `{word}`",
        ],
        Msg::TypePairs => [
            "type NUMBER=VALUE for each choice (e.g. 1=2), not `{word}`",
            "sisestage iga valiku kohta NUMBER=VÄÄRTUS (nt 1=2), mitte `{word}`",
            "พิมพ์ หมายเลข=ค่า สำหรับแต่ละตัวเลือก (เช่น 1=2) ไม่ใช่ `{word}`",
            "введите НОМЕР=ЗНАЧЕНИЕ для каждого выбора (например, 1=2), а не `{word}`",
        ],
        Msg::NotInRange => [
            "`{number}` is not a number from 1 to {count}",
            "`{number}` ei ole number vahemikus 1 kuni {count}",
            "`{number}` ไม่ใช่หมายเลขตั้งแต่ 1 ถึง {count}",
            "`{number}` — не номер от 1 до {count}",
        ],
        Msg::Refused => ["refused", "keeldutud", "ถูกปฏิเสธ", "отказ"],
        Msg::CouldNotRun => [
            "could not run",
            "ei õnnestunud",
            "ดำเนินการไม่ได้",
            "не удалось выполнить",
        ],
        Msg::DetailForSupport => [
            "detail for support",
            "üksikasjad kasutajatoele",
            "รายละเอียดสำหรับฝ่ายช่วยเหลือ",
            "подробности для службы поддержки",
        ],
        Msg::Cancelled => [
            "no vote was cast",
            "häält ei antud",
            "ไม่ได้ลงคะแนน",
            "голос не был подан",
        ],
        Msg::ReceiptNotWritable => [
            "the receipt cannot be saved to {path} ({reason}); nothing was sent: give a file in \
             a folder you can write to with --receipt FILE, or run the app from one",
            "kviitungit ei saa salvestada faili {path} ({reason}); midagi ei saadetud: andke \
             --receipt FAIL abil fail kaustas, kuhu saate kirjutada, või käivitage rakendus \
             sellisest kaustast",
            "ไม่สามารถบันทึกใบรับไว้ที่ {path} ได้ ({reason}) ยังไม่มีการส่งข้อมูลใด ๆ: \
             โปรดระบุไฟล์ในโฟลเดอร์ที่คุณเขียนได้ด้วย --receipt FILE หรือเรียกใช้แอปจากโฟลเดอร์ดังกล่าว",
            "квитанцию нельзя сохранить в {path} ({reason}); ничего не отправлено: укажите файл \
             в папке, доступной для записи, с помощью --receipt FILE или запустите приложение из \
             такой папки",
        ],
        Msg::PassphrasePrompt => [
            "The passphrase of your e-ID key: ",
            "Teie e-ID võtme parool: ",
            "รหัสผ่านของกุญแจ e-ID ของคุณ: ",
            "Пароль вашего ключа e-ID: ",
        ],
        Msg::PassphraseRetry => [
            "That passphrase does not open your e-ID key (mind the keyboard layout and Caps \
             Lock); try again (tries left: {left}).",
            "See parool ei ava teie e-ID võtit (kontrollige klaviatuuripaigutust ja Caps Locki); \
             proovige uuesti (katseid jäänud: {left}).",
            "รหัสผ่านนี้เปิดกุญแจ e-ID ของคุณไม่ได้ (ตรวจสอบภาษาของแป้นพิมพ์และปุ่ม Caps Lock) \
             โปรดลองอีกครั้ง (เหลืออีก {left} ครั้ง)",
            "Этот пароль не открывает ваш ключ e-ID (проверьте раскладку клавиатуры и Caps \
             Lock); попробуйте ещё раз (осталось попыток: {left}).",
        ],
        Msg::WrongPassphraseTries => [
            "the passphrase does not open your e-ID key (tries: {tries}); nothing was sent. Find \
             the right passphrase and vote again",
            "parool ei ava teie e-ID võtit (katseid: {tries}); midagi ei saadetud. Leidke õige \
             parool ja hääletage uuesti",
            "รหัสผ่านเปิดกุญแจ e-ID ของคุณไม่ได้ (ลองแล้ว {tries} ครั้ง) ยังไม่มีการส่งข้อมูลใด ๆ \
             โปรดหารหัสผ่านที่ถูกต้องแล้วลงคะแนนอีกครั้ง",
            "пароль не открывает ваш ключ e-ID (попыток: {tries}); ничего не отправлено. Найдите \
             правильный пароль и проголосуйте снова",
        ],
        Msg::WrongPassphraseFile => [
            "the passphrase in the passphrase file does not open your e-ID key; nothing was sent",
            "paroolifailis olev parool ei ava teie e-ID võtit; midagi ei saadetud",
            "รหัสผ่านในไฟล์รหัสผ่านเปิดกุญแจ e-ID ของคุณไม่ได้ ยังไม่มีการส่งข้อมูลใด ๆ",
            "пароль из файла пароля не открывает ваш ключ e-ID; ничего не отправлено",
        ],
        Msg::Unreachable => [
            "the collector at {url} cannot be reached; check your internet connection and try \
             again",
            "häälte kogujaga aadressil {url} ei saa ühendust; kontrollige internetiühendust ja \
             proovige uuesti",
            "ไม่สามารถติดต่อระบบรับคะแนนที่ {url} ได้ โปรดตรวจสอบการเชื่อมต่ออินเทอร์เน็ตแล้วลองอีกครั้ง",
            "не удаётся связаться с сервером сбора голосов по адресу {url}; проверьте подключение \
             к интернету и попробуйте снова",
        ],
        Msg::Untrusted => [
            "the server at {url} could not prove that it is the election's collector (its \
             secure connection failed); this is not a problem with your internet connection. \
             Check the address; if it is the one the election officials published, do not vote \
             now and tell them",
            "server aadressil {url} ei suutnud tõendada, et see on valimiste häälte koguja \
             (turvaline ühendus ebaõnnestus); see ei ole teie internetiühenduse probleem. \
             Kontrollige aadressi; kui see on valimiste korraldajate avaldatud aadress, ärge \
             praegu hääletage ja teavitage neid",
            "เซิร์ฟเวอร์ที่ {url} พิสูจน์ไม่ได้ว่าเป็นระบบรับคะแนนของการเลือกตั้งนี้ \
             (การเชื่อมต่อแบบปลอดภัยล้มเหลว) ปัญหานี้ไม่ได้เกิดจากการเชื่อมต่ออินเทอร์เน็ตของคุณ \
             โปรดตรวจสอบที่อยู่ หากเป็นที่อยู่ที่เจ้าหน้าที่การเลือกตั้งประกาศไว้ \
             อย่าเพิ่งลงคะแนนและโปรดแจ้งเจ้าหน้าที่",
            "сервер по адресу {url} не смог подтвердить, что он является сервером сбора голосов \
             этих выборов (защищённое соединение не установлено); это не проблема вашего \
             подключения к интернету. Проверьте адрес; если это адрес, опубликованный \
             организаторами выборов, не голосуйте сейчас и сообщите им",
        ],
        Msg::RefusedTwice => [
            "the collector refused your vote twice ({reason}); NOTHING was recorded: vote again, \
             and if this repeats, tell the election officials",
            "häälte koguja keeldus teie häälest kaks korda ({reason}); MIDAGI ei salvestatud: \
             hääletage uuesti ja kui see kordub, teavitage valimiste korraldajaid",
            "ระบบรับคะแนนปฏิเสธคะแนนของคุณสองครั้ง ({reason}) ยังไม่มีการบันทึกใด ๆ เลย: \
             โปรดลงคะแนนใหม่ และหากเกิดขึ้นอีก โปรดแจ้งเจ้าหน้าที่การเลือกตั้ง",
            "сервер сбора голосов дважды отклонил ваш голос ({reason}); НИЧЕГО не записано: \
             проголосуйте снова, а если это повторится, сообщите организаторам выборов",
        ],
        Msg::NotACertificate => [
            "{path} is not an e-ID certificate file (it is damaged, or another kind of file); \
             give your e-ID certificate file (PEM or DER)",
            "{path} ei ole e-ID sertifikaadi fail (see on rikutud või muud tüüpi fail); andke \
             oma e-ID sertifikaadi fail (PEM või DER)",
            "{path} ไม่ใช่ไฟล์ใบรับรอง e-ID (ไฟล์เสียหาย หรือเป็นไฟล์ประเภทอื่น) \
             โปรดระบุไฟล์ใบรับรอง e-ID ของคุณ (PEM หรือ DER)",
            "{path} — не файл сертификата e-ID (он повреждён или это файл другого типа); укажите \
             файл своего сертификата e-ID (PEM или DER)",
        ],
        Msg::NotAKey => [
            "{path} is not an e-ID private key file (it is damaged, or another kind of file); \
             give the key file of your e-ID certificate",
            "{path} ei ole e-ID privaatvõtme fail (see on rikutud või muud tüüpi fail); andke \
             oma e-ID sertifikaadi võtmefail",
            "{path} ไม่ใช่ไฟล์กุญแจส่วนตัวของ e-ID (ไฟล์เสียหาย หรือเป็นไฟล์ประเภทอื่น) \
             โปรดระบุไฟล์กุญแจของใบรับรอง e-ID ของคุณ",
            "{path} — не файл закрытого ключа e-ID (он повреждён или это файл другого типа); \
             укажите файл ключа своего сертификата e-ID",
        ],
        Msg::GivenTwice => [
            "number {n} is given twice",
            "number {n} on antud kaks korda",
            "ใส่หมายเลข {n} ซ้ำสองครั้ง",
            "номер {n} указан дважды",
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `{name}` placeholders of a template, sorted.
    fn placeholders(s: &str) -> Vec<&str> {
        let mut names: Vec<&str> = s
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        names.sort_unstable();
        names
    }

    #[test]
    fn every_language_has_every_message_with_the_same_placeholders() {
        for msg in Msg::ALL {
            let english = placeholders(text(msg, Lang::En));
            for lang in Lang::ALL {
                let t = text(msg, lang);
                assert!(!t.trim().is_empty(), "{msg:?} in {lang:?}");
                assert_eq!(placeholders(t), english, "{msg:?} in {lang:?}: {t}");
                assert!(
                    !t.contains("  "),
                    "{msg:?} in {lang:?}: a double space: {t}"
                );
            }
        }
    }

    #[test]
    fn languages_by_code_and_filled_templates() {
        assert_eq!(Lang::from_code("et"), Some(Lang::Et));
        assert_eq!(Lang::from_code("ru-EE"), Some(Lang::Ru));
        assert_eq!(Lang::from_code("fi"), None);
        assert_eq!(Lang::or_english("fi"), Lang::En);
        assert_eq!(
            fill(Msg::TooManyAtMost, Lang::Ru, &[("n", "3"), ("max", "2")]),
            "вы выбрали 3; здесь можно выбрать не более 2"
        );
    }
}
