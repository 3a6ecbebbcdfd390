"""The words of the box's health alerts (issue 20: they were English only) in each language of the web UI.

A condition's notice (appliance.alerts.state.Notice) keeps its English text for the SNMP trap, the log and `callbox
alert status`; its e-mail is written in each recipient's language (an address of a directory person with a web
account: that account's language; else [mail] language), and the raised condition keeps its text's key and fields
(encode/decode) so the alerts page shows it in the reader's language. English is the key set: a language that lacks
a text falls back to English. Fields are filled in as they are, except Word values: words of these texts themselves,
translated too.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from appliance.directory import texts as directory_texts
from appliance.reports.labels import words

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "subject_raised": "Callbox ALERT: {text}", "subject_cleared": "Callbox OK: {text}",
        "cleared": "cleared: {text}",
        "never": "never", "nothing_applied": "nothing applied",
        "no_plan": "no tariff plan can be chosen",
        "no_data_any": "no call data from any source for {minutes} minutes of business hours (last line {last})",
        "no_data_any_ok": "call data from any source arrives again (last line {last})",
        "no_data": "no call data from {label} for {minutes} minutes of business hours (last line {last})",
        "no_data_ok": "call data from {label} arrives again (last line {last})",
        "unwatched": "{label} is no longer watched",
        "capture_stopped": "capture is not running", "link_down": "PBX link down: {links}",
        "link_up": "PBX link up: {links}",
        "parse_failures": "{bad} of {total} lines from the PBX could not be read in the last {minutes} minutes (over "
                          "{pct}%; see `callbox quarantine`)",
        "parse_failures_ok": "PBX lines are read again ({bad} of {total} quarantined in the last {minutes} minutes)",
        "journal_high": "the journal uses {used}% of [journal] retain_mb and {free}% of the data partition is free",
        "journal_ok": "journal/flash usage is normal again ({used}% of retain_mb, {free}% free)",
        "directory_sync": "the directory sync failed twice in a row: {why} (see the Organisation page's sync report)",
        "directory_sync_ok": "the directory sync works again",
        "tariff_plan": "calls are stored without a price: {problem}. Set [rating] plan to one stored plan, then run "
                       "`callbox rerate`.",
        "tariff_plan_ok": "a tariff plan prices the calls again; run `callbox rerate` for the calls stored unpriced "
                          "meanwhile",
        "stuck_lines": "{n} call(s) of the last 24 h on trunk(s) {trunks} did not release in time and were priced "
                       "shorter: check those lines; `callbox calls --capped` lists them",
        "stuck_lines_ok": "no call of the last 24 h ran over its trunk's cap or overlapped the next",
        "db_error": "database error: {error}", "db_ok": "database works again",
        "code_rise": "PBX cause code {name}: {count} in the last hour, the usual for this hour of the week is at most "
                     "{threshold}",
        "code_ok": "PBX cause code {name} is back to normal ({count} in the last hour)",
        "central_failing": "calls cannot be sent to the central: {error} ({waiting} calls waiting; they are kept and "
                           "sent when it works again; `callbox sync status`)",
        "central_ok": "calls reach the central again ({waiting} waiting)",
        "branch_silent": "branch {name} has not been heard from since {at} (its calls wait on it: check its network "
                         "and `callbox sync status` there)",
        "branch_ok": "branch {name} is heard from again",
        "balance_low": "customer {code} ({name}): prepaid balance {balance} {currency} is below {low}: top the "
                       "account up (`callbox customer topup {code} AMOUNT`)",
        "balance_exhausted": "customer {code} ({name}): prepaid balance {balance} {currency} is exhausted: top "
                             "the account up (`callbox customer topup {code} AMOUNT`)",
        "balance_ok": "customer {code}: prepaid balance {balance} {currency} is above {low} again",
        "margin": "customer {code} ({name}): this month's calls cost {buy} {currency}, more than the fixed fee "
                  "{fee} (margin {margin})",
        "margin_ok": "customer {code}: the month's margin is not negative ({margin} {currency})",
        "shop_low": "the callshop's prepaid account with its provider: balance {balance} {currency} is below "
                    "{low}: top it up with the provider, then `callbox shop topup AMOUNT`",
        "shop_ok": "the callshop's provider account: balance {balance} {currency} is above {low} again",
    },
    "tr": {
        "subject_raised": "Callbox UYARI: {text}", "subject_cleared": "Callbox TAMAM: {text}",
        "cleared": "düzeldi: {text}", "never": "hiç",
        "nothing_applied": "hiçbir şey uygulanmadı", "no_plan": "hiçbir tarife planı seçilemiyor",
        "no_data_any": "mesai saatleri içinde {minutes} dakikadır hiçbir kaynaktan çağrı verisi yok (son satır {last})",
        "no_data_any_ok": "çağrı verisi yeniden geliyor (son satır {last})",
        "no_data": "{label} kaynağından mesai saatleri içinde {minutes} dakikadır çağrı verisi yok (son satır {last})",
        "no_data_ok": "{label} kaynağından çağrı verisi yeniden geliyor (son satır {last})",
        "unwatched": "{label} artık izlenmiyor",
        "capture_stopped": "veri toplama çalışmıyor", "link_down": "Santral bağlantısı koptu: {links}",
        "link_up": "Santral bağlantısı kuruldu: {links}",
        "parse_failures": "Son {minutes} dakikada santralden gelen {total} satırın {bad} tanesi okunamadı (%{pct} "
                          "üzeri; bkz. `callbox quarantine`)",
        "parse_failures_ok": "Santral satırları yeniden okunuyor (son {minutes} dakikada {total} satırdan {bad} "
                             "tanesi karantinada)",
        "journal_high": "günlük [journal] retain_mb değerinin %{used} kadarını kullanıyor ve veri bölümünün %{free} "
                        "kadarı boş",
        "journal_ok": "günlük/flash kullanımı yeniden normal (retain_mb'nin %{used} kadarı, %{free} boş)",
        "directory_sync": "dizin eşitlemesi üst üste iki kez başarısız oldu: {why} (Organizasyon sayfasındaki "
                          "eşitleme raporuna bakın)",
        "directory_sync_ok": "dizin eşitlemesi yeniden çalışıyor",
        "tariff_plan": "çağrılar fiyatsız kaydediliyor: {problem}. [rating] plan değerini kayıtlı bir plana "
                       "ayarlayın, sonra `callbox rerate` çalıştırın.",
        "tariff_plan_ok": "çağrılar yeniden bir tarife planıyla fiyatlanıyor; bu arada fiyatsız kaydedilen çağrılar "
                          "için `callbox rerate` çalıştırın",
        "stuck_lines": "Son 24 saatte {trunks} hat(lar)ındaki {n} çağrı zamanında kapanmadı ve daha kısa "
                       "fiyatlandı: bu hatları kontrol edin; `callbox calls --capped` bunları listeler",
        "stuck_lines_ok": "son 24 saatte hiçbir çağrı hattının sınırını aşmadı ya da sonrakiyle çakışmadı",
        "db_error": "veritabanı hatası: {error}", "db_ok": "veritabanı yeniden çalışıyor",
        "code_rise": "Santral neden kodu {name}: son bir saatte {count}; haftanın bu saati için olağan en çok "
                     "{threshold}",
        "code_ok": "Santral neden kodu {name} yeniden normal (son bir saatte {count})",
        "central_failing": "çağrılar merkeze gönderilemiyor: {error} ({waiting} çağrı bekliyor; saklanıyorlar ve "
                           "bağlantı düzelince gönderilecekler; `callbox sync status`)",
        "central_ok": "çağrılar yeniden merkeze ulaşıyor ({waiting} bekliyor)",
        "branch_silent": "{name} şubesinden {at} tarihinden beri haber yok (çağrıları onu bekliyor: ağını ve oradaki "
                         "`callbox sync status` çıktısını kontrol edin)",
        "branch_ok": "{name} şubesinden yeniden haber geliyor",
        "balance_low": "müşteri {code} ({name}): ön ödemeli bakiye {balance} {currency}, {low} altında: hesaba "
                       "yükleme yapın (`callbox customer topup {code} AMOUNT`)",
        "balance_exhausted": "müşteri {code} ({name}): ön ödemeli bakiye {balance} {currency} tükendi: hesaba "
                             "yükleme yapın (`callbox customer topup {code} AMOUNT`)",
        "balance_ok": "müşteri {code}: ön ödemeli bakiye {balance} {currency} yeniden {low} üzerinde",
        "margin": "müşteri {code} ({name}): bu ayın çağrıları {buy} {currency} tuttu, sabit ücret {fee} "
                  "tutarından fazla (kâr marjı {margin})",
        "margin_ok": "müşteri {code}: ayın kâr marjı negatif değil ({margin} {currency})",
        "shop_low": "çağrı dükkânının sağlayıcıdaki ön ödemeli hesabı: bakiye {balance} {currency}, {low} "
                    "altında: sağlayıcıda yükleme yapın, sonra `callbox shop topup AMOUNT`",
        "shop_ok": "çağrı dükkânının sağlayıcı hesabı: bakiye {balance} {currency} yeniden {low} üzerinde",
    },
    "bg": {
        "subject_raised": "Callbox ТРЕВОГА: {text}", "subject_cleared": "Callbox ОК: {text}",
        "cleared": "отминало: {text}", "never": "никога",
        "nothing_applied": "нищо не е приложено", "no_plan": "не може да се избере тарифен план",
        "no_data_any": "няма данни за разговори от нито един източник от {minutes} минути в "
                       "работно време (последен ред {last})",
        "no_data_any_ok": "данните за разговори отново пристигат (последен ред {last})",
        "no_data": "няма данни за разговори от {label} от {minutes} минути в работно време (последен ред {last})",
        "no_data_ok": "данните за разговори от {label} отново пристигат (последен ред {last})",
        "unwatched": "{label} вече не се наблюдава",
        "capture_stopped": "записването не работи", "link_down": "Връзката с централата е прекъсната: {links}",
        "link_up": "Връзката с централата е възстановена: {links}",
        "parse_failures": "{bad} от {total} реда от централата не можаха да се прочетат през последните {minutes} "
                          "минути (над {pct}%; вижте `callbox quarantine`)",
        "parse_failures_ok": "редовете от централата отново се четат ({bad} от {total} под карантина през "
                             "последните {minutes} минути)",
        "journal_high": "журналът заема {used}% от [journal] retain_mb, а свободни са {free}% от дяла с данни",
        "journal_ok": "заетостта на журнала/флаш паметта отново е нормална ({used}% от retain_mb, {free}% свободни)",
        "directory_sync": "синхронизацията на указателя не успя два пъти подред: {why} (вижте отчета за "
                          "синхронизация на страницата Организация)",
        "directory_sync_ok": "синхронизацията на указателя отново работи",
        "tariff_plan": "разговорите се записват без цена: {problem}. Задайте [rating] plan на един записан план, "
                       "после изпълнете `callbox rerate`.",
        "tariff_plan_ok": "тарифен план отново оценява разговорите; изпълнете `callbox rerate` за разговорите, "
                          "записани междувременно без цена",
        "stuck_lines": "{n} разговор(а) от последните 24 ч по транк(ове) {trunks} не се освободиха навреме и бяха "
                       "оценени по-кратки: проверете тези линии; `callbox calls --capped` ги изброява",
        "stuck_lines_ok": "нито един разговор от последните 24 ч не надхвърли лимита на транка си и не се припокри "
                          "със следващия",
        "db_error": "грешка в базата данни: {error}", "db_ok": "базата данни отново работи",
        "code_rise": "Код на причина от централата {name}: {count} за последния час, обичайното за този час от "
                     "седмицата е най-много {threshold}",
        "code_ok": "Кодът на причина от централата {name} отново е в норма ({count} за последния час)",
        "central_failing": "разговорите не могат да се изпратят до централния сървър: {error} ({waiting} чакат; "
                           "пазят се и ще се изпратят, когато връзката заработи; `callbox sync status`)",
        "central_ok": "разговорите отново достигат централния сървър ({waiting} чакат)",
        "branch_silent": "от клон {name} няма вест от {at} (разговорите му чакат: проверете мрежата му и `callbox sync "
                         "status` там)",
        "branch_ok": "клон {name} отново се обажда",
        "balance_low": "клиент {code} ({name}): предплатеният баланс {balance} {currency} е под {low}: заредете"
                       " сметката (`callbox customer topup {code} AMOUNT`)",
        "balance_exhausted": "клиент {code} ({name}): предплатеният баланс {balance} {currency} е изчерпан: "
                             "заредете сметката (`callbox customer topup {code} AMOUNT`)",
        "balance_ok": "клиент {code}: предплатеният баланс {balance} {currency} отново е над {low}",
        "margin": "клиент {code} ({name}): разговорите този месец струват {buy} {currency}, повече от "
                  "фиксираната такса {fee} (марж {margin})",
        "margin_ok": "клиент {code}: маржът за месеца не е отрицателен ({margin} {currency})",
        "shop_low": "предплатената сметка на кол шопа при доставчика: баланс {balance} {currency} е под {low}: "
                    "заредете я при доставчика, после `callbox shop topup AMOUNT`",
        "shop_ok": "сметката на кол шопа при доставчика: баланс {balance} {currency} отново е над {low}",
    },
    "az": {
        "subject_raised": "Callbox XƏBƏRDARLIQ: {text}", "subject_cleared": "Callbox QAYDASINDA: {text}",
        "cleared": "aradan qalxdı: {text}", "never": "heç vaxt",
        "nothing_applied": "heç nə tətbiq olunmadı", "no_plan": "heç bir tarif planı seçilə bilmir",
        "no_data_any": "iş saatlarında {minutes} dəqiqədir heç bir mənbədən zəng məlumatı yoxdur (son sətir {last})",
        "no_data_any_ok": "zəng məlumatı yenidən gəlir (son sətir {last})",
        "no_data": "{label} mənbəyindən iş saatlarında {minutes} dəqiqədir zəng məlumatı yoxdur (son sətir {last})",
        "no_data_ok": "{label} mənbəyindən zəng məlumatı yenidən gəlir (son sətir {last})",
        "unwatched": "{label} artıq izlənmir",
        "capture_stopped": "məlumat toplama işləmir", "link_down": "Santral bağlantısı kəsildi: {links}",
        "link_up": "Santral bağlantısı bərpa olundu: {links}",
        "parse_failures": "Son {minutes} dəqiqədə santraldan gələn {total} sətirdən {bad} sətir oxuna bilmədi "
                          "({pct}%-dən çox; bax `callbox quarantine`)",
        "parse_failures_ok": "Santral sətirləri yenidən oxunur (son {minutes} dəqiqədə {total} sətirdən {bad} "
                             "sətir karantində)",
        "journal_high": "jurnal [journal] retain_mb dəyərinin {used}%-ni istifadə edir, məlumat bölməsinin {free}%-i "
                        "boşdur",
        "journal_ok": "jurnal/flash istifadəsi yenidən normaldır (retain_mb-nin {used}%-i, {free}% boş)",
        "directory_sync": "kataloq sinxronizasiyası ardıcıl iki dəfə uğursuz oldu: {why} (Təşkilat səhifəsindəki "
                          "sinxronizasiya hesabatına baxın)",
        "directory_sync_ok": "kataloq sinxronizasiyası yenidən işləyir",
        "tariff_plan": "zənglər qiymətsiz saxlanılır: {problem}. [rating] plan dəyərini saxlanmış bir plana təyin "
                       "edin, sonra `callbox rerate` işə salın.",
        "tariff_plan_ok": "zənglər yenidən tarif planı ilə qiymətləndirilir; bu vaxt qiymətsiz saxlanan zənglər üçün "
                          "`callbox rerate` işə salın",
        "stuck_lines": "Son 24 saatda {trunks} xətt(lər)indəki {n} zəng vaxtında bağlanmadı və daha qısa "
                       "qiymətləndirildi: bu xətləri yoxlayın; `callbox calls --capped` onları göstərir",
        "stuck_lines_ok": "son 24 saatda heç bir zəng xəttinin limitini keçmədi və növbəti ilə üst-üstə düşmədi",
        "db_error": "verilənlər bazası xətası: {error}", "db_ok": "verilənlər bazası yenidən işləyir",
        "code_rise": "Santral səbəb kodu {name}: son bir saatda {count}; həftənin bu saatı üçün adi hal ən çox "
                     "{threshold}",
        "code_ok": "Santral səbəb kodu {name} yenidən normaldır (son bir saatda {count})",
        "central_failing": "zənglər mərkəzə göndərilə bilmir: {error} ({waiting} zəng gözləyir; saxlanılır və əlaqə "
                           "düzələndə göndəriləcək; `callbox sync status`)",
        "central_ok": "zənglər yenidən mərkəzə çatır ({waiting} gözləyir)",
        "branch_silent": "{name} filialından {at} vaxtından bəri xəbər yoxdur (zəngləri onu gözləyir: şəbəkəsini və "
                         "oradakı `callbox sync status` nəticəsini yoxlayın)",
        "branch_ok": "{name} filialından yenidən xəbər gəlir",
        "balance_low": "müştəri {code} ({name}): qabaqcadan ödənişli balans {balance} {currency} {low} "
                       "həddindən aşağıdır: hesabı artırın (`callbox customer topup {code} AMOUNT`)",
        "balance_exhausted": "müştəri {code} ({name}): qabaqcadan ödənişli balans {balance} {currency} bitib: "
                             "hesabı artırın (`callbox customer topup {code} AMOUNT`)",
        "balance_ok": "müştəri {code}: qabaqcadan ödənişli balans {balance} {currency} yenidən {low} həddindən "
                      "yuxarıdır",
        "margin": "müştəri {code} ({name}): bu ayın zəngləri {buy} {currency} tutdu, sabit haqq {fee} "
                  "məbləğindən çox (marja {margin})",
        "margin_ok": "müştəri {code}: ayın marjası mənfi deyil ({margin} {currency})",
        "shop_low": "zəng məntəqəsinin provayderdəki qabaqcadan ödənişli hesabı: balans {balance} {currency} "
                    "{low} həddindən aşağıdır: provayderdə artırın, sonra `callbox shop topup AMOUNT`",
        "shop_ok": "zəng məntəqəsinin provayder hesabı: balans {balance} {currency} yenidən {low} həddindən "
                   "yuxarıdır",
    },
    "cs": {
        "subject_raised": "Callbox VÝSTRAHA: {text}", "subject_cleared": "Callbox OK: {text}",
        "cleared": "pominulo: {text}", "never": "nikdy",
        "nothing_applied": "nic nebylo použito", "no_plan": "nelze zvolit žádný tarifní plán",
        "no_data_any": "žádná data o hovorech z žádného zdroje po {minutes} minut pracovní "
                       "doby (poslední řádek {last})",
        "no_data_any_ok": "data o hovorech opět přicházejí (poslední řádek {last})",
        "no_data": "žádná data o hovorech od {label} po {minutes} minut pracovní doby (poslední řádek {last})",
        "no_data_ok": "data o hovorech od {label} opět přicházejí (poslední řádek {last})",
        "unwatched": "{label} se již nesleduje",
        "capture_stopped": "sběr dat neběží", "link_down": "Spojení s ústřednou je přerušeno: {links}",
        "link_up": "Spojení s ústřednou je obnoveno: {links}",
        "parse_failures": "{bad} z {total} řádků z ústředny nešlo za posledních {minutes} minut přečíst (přes "
                          "{pct} %; viz `callbox quarantine`)",
        "parse_failures_ok": "řádky z ústředny se opět čtou ({bad} z {total} v karanténě za posledních {minutes} "
                             "minut)",
        "journal_high": "žurnál zabírá {used} % z [journal] retain_mb a volných je {free} % datového oddílu",
        "journal_ok": "zaplnění žurnálu/flash je opět v normálu ({used} % z retain_mb, {free} % volných)",
        "directory_sync": "synchronizace adresáře dvakrát za sebou selhala: {why} (viz zprávu o synchronizaci na "
                          "stránce Organizace)",
        "directory_sync_ok": "synchronizace adresáře opět funguje",
        "tariff_plan": "hovory se ukládají bez ceny: {problem}. Nastavte [rating] plan na jeden uložený plán a pak "
                       "spusťte `callbox rerate`.",
        "tariff_plan_ok": "tarifní plán opět oceňuje hovory; spusťte `callbox rerate` pro hovory uložené mezitím bez "
                          "ceny",
        "stuck_lines": "{n} hovor(ů) za posledních 24 h na trunku/trunkách {trunks} se neuvolnilo včas a bylo "
                       "oceněno kratší: zkontrolujte tyto linky; `callbox calls --capped` je vypíše",
        "stuck_lines_ok": "žádný hovor za posledních 24 h nepřekročil limit svého trunku ani se nepřekryl s "
                          "následujícím",
        "db_error": "chyba databáze: {error}", "db_ok": "databáze opět funguje",
        "code_rise": "Kód příčiny z ústředny {name}: {count} za poslední hodinu, obvyklé maximum pro tuto hodinu "
                     "týdne je {threshold}",
        "code_ok": "Kód příčiny z ústředny {name} je opět v normálu ({count} za poslední hodinu)",
        "central_failing": "hovory nelze odeslat do centrály: {error} (čeká {waiting} hovorů; uchovávají se a "
                           "odešlou se, až spojení znovu funguje; `callbox sync status`)",
        "central_ok": "hovory opět docházejí do centrály (čeká {waiting})",
        "branch_silent": "pobočka {name} se neozvala od {at} (její hovory čekají: zkontrolujte její síť a tam `callbox "
                         "sync status`)",
        "branch_ok": "pobočka {name} se opět ozývá",
        "balance_low": "zákazník {code} ({name}): předplacený zůstatek {balance} {currency} je pod {low}: "
                       "dobijte účet (`callbox customer topup {code} AMOUNT`)",
        "balance_exhausted": "zákazník {code} ({name}): předplacený zůstatek {balance} {currency} je vyčerpán: "
                             "dobijte účet (`callbox customer topup {code} AMOUNT`)",
        "balance_ok": "zákazník {code}: předplacený zůstatek {balance} {currency} je opět nad {low}",
        "margin": "zákazník {code} ({name}): hovory tohoto měsíce stály {buy} {currency}, víc než pevný "
                  "poplatek {fee} (marže {margin})",
        "margin_ok": "zákazník {code}: marže měsíce není záporná ({margin} {currency})",
        "shop_low": "předplacený účet telefonní kanceláře u operátora: zůstatek {balance} {currency} je pod "
                    "{low}: dobijte jej u operátora, pak `callbox shop topup AMOUNT`",
        "shop_ok": "účet telefonní kanceláře u operátora: zůstatek {balance} {currency} je opět nad {low}",
    },
    "nb": {
        "subject_raised": "Callbox VARSEL: {text}", "subject_cleared": "Callbox OK: {text}",
        "cleared": "opphørt: {text}", "never": "aldri",
        "nothing_applied": "ingenting ble tatt i bruk", "no_plan": "ingen tariffplan kan velges",
        "no_data_any": "ingen samtaledata fra noen kilde på {minutes} minutter i arbeidstiden (siste linje {last})",
        "no_data_any_ok": "samtaledata kommer igjen (siste linje {last})",
        "no_data": "ingen samtaledata fra {label} på {minutes} minutter i arbeidstiden (siste linje {last})",
        "no_data_ok": "samtaledata fra {label} kommer igjen (siste linje {last})",
        "unwatched": "{label} overvåkes ikke lenger",
        "capture_stopped": "innsamlingen kjører ikke", "link_down": "Forbindelsen til sentralen er nede: {links}",
        "link_up": "Forbindelsen til sentralen er oppe: {links}",
        "parse_failures": "{bad} av {total} linjer fra sentralen kunne ikke leses de siste {minutes} minuttene (over "
                          "{pct} %; se `callbox quarantine`)",
        "parse_failures_ok": "linjene fra sentralen leses igjen ({bad} av {total} i karantene de siste {minutes} "
                             "minuttene)",
        "journal_high": "journalen bruker {used} % av [journal] retain_mb, og {free} % av datapartisjonen er ledig",
        "journal_ok": "bruken av journal/flash er normal igjen ({used} % av retain_mb, {free} % ledig)",
        "directory_sync": "katalogsynkroniseringen feilet to ganger på rad: {why} (se synkroniseringsrapporten på "
                          "siden Organisasjon)",
        "directory_sync_ok": "katalogsynkroniseringen virker igjen",
        "tariff_plan": "samtaler lagres uten pris: {problem}. Sett [rating] plan til én lagret plan, og kjør så "
                       "`callbox rerate`.",
        "tariff_plan_ok": "en tariffplan priser samtalene igjen; kjør `callbox rerate` for samtalene som ble lagret "
                          "uten pris i mellomtiden",
        "stuck_lines": "{n} samtale(r) de siste 24 t på trunk(er) {trunks} ble ikke frigitt i tide og ble priset "
                       "kortere: sjekk disse linjene; `callbox calls --capped` viser dem",
        "stuck_lines_ok": "ingen samtale de siste 24 t gikk over trunkens grense eller overlappet den neste",
        "db_error": "databasefeil: {error}", "db_ok": "databasen virker igjen",
        "code_rise": "Årsakskode fra sentralen {name}: {count} den siste timen, det vanlige for denne timen i uken er "
                     "høyst {threshold}",
        "code_ok": "Årsakskode fra sentralen {name} er normal igjen ({count} den siste timen)",
        "central_failing": "samtaler kan ikke sendes til sentralboksen: {error} ({waiting} venter; de tas vare på og "
                           "sendes når det virker igjen; `callbox sync status`)",
        "central_ok": "samtalene når sentralboksen igjen ({waiting} venter)",
        "branch_silent": "filialen {name} har ikke vært hørt fra siden {at} (samtalene venter på den: sjekk nettet og "
                         "`callbox sync status` der)",
        "branch_ok": "filialen {name} høres fra igjen",
        "balance_low": "kunde {code} ({name}): forhåndsbetalt saldo {balance} {currency} er under {low}: fyll "
                       "på kontoen (`callbox customer topup {code} AMOUNT`)",
        "balance_exhausted": "kunde {code} ({name}): forhåndsbetalt saldo {balance} {currency} er brukt opp: "
                             "fyll på kontoen (`callbox customer topup {code} AMOUNT`)",
        "balance_ok": "kunde {code}: forhåndsbetalt saldo {balance} {currency} er over {low} igjen",
        "margin": "kunde {code} ({name}): samtalene denne måneden kostet {buy} {currency}, mer enn fastprisen "
                  "{fee} (margin {margin})",
        "margin_ok": "kunde {code}: månedens margin er ikke negativ ({margin} {currency})",
        "shop_low": "telefonkioskens forhåndsbetalte konto hos leverandøren: saldo {balance} {currency} er "
                    "under {low}: fyll på hos leverandøren, og kjør så `callbox shop topup AMOUNT`",
        "shop_ok": "telefonkioskens konto hos leverandøren: saldo {balance} {currency} er over {low} igjen",
    },
}


@dataclass(frozen=True)
class Word:
    """A word of these texts given as a field (any source, never, ...): translated with the text."""
    key: str


@dataclass(frozen=True)
class DirectoryText:
    """A directory sync problem (appliance.directory.texts: key and fields) given as a field: said in the language
    with the web's catalogue; `english` (as the sync report stored it) when it has no text."""
    text: object
    english: str

    def say(self, lang: str) -> str:
        return directory_texts.say_or(self.text, self.english, words(lang).text)


def say(lang: str, key: str, **fields: object) -> str:
    """The text `key` in `lang` (English where the language lacks it), with `fields` filled in."""
    filled = {k: say(lang, v.key) if isinstance(v, Word) else v.say(lang) if isinstance(v, DirectoryText) else v
              for k, v in fields.items()}
    return TEXT.get(lang, {}).get(key, TEXT["en"][key]).format(**filled)


def encode(key: str, fields: dict) -> str:
    """A text's key and fields as stored with a raised condition (JSON; Word values as {"word": key})."""
    def plain(v: object) -> object:
        if isinstance(v, Word):
            return {"word": v.key}
        if isinstance(v, DirectoryText):
            return {"directory": v.text, "english": v.english}
        return v if isinstance(v, (int, float, str)) or v is None else str(v)
    return json.dumps({"key": key, "fields": {k: plain(v) for k, v in fields.items()}}, ensure_ascii=False)


def decode(lang: str, stored: str, fallback: str) -> str:
    """A stored text (encode) in `lang`; `fallback` (the English detail of older rows) when there is none or it
    cannot be read (an unknown key, a field missing)."""
    try:
        doc = json.loads(stored) if stored else None
        if not isinstance(doc, dict) or doc.get("key") not in TEXT["en"]:
            return fallback
        fields = {k: Word(v["word"]) if isinstance(v, dict) and v.get("word") in TEXT["en"] else
                  DirectoryText(v["directory"], str(v.get("english", ""))) if isinstance(v, dict) and "directory" in v
                  else v for k, v in dict(doc.get("fields") or {}).items()}
        return say(lang, doc["key"], **fields)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return fallback
