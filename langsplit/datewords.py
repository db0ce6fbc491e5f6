"""Month and weekday names (full and short) in the reader locales we know.

A template line differs from page to page by its date ("from the 24 November
2026 edition"); masking these names, like digits, lets the two copies count
as one line.  Made from the locale data in training/data/locales.json.
"""

DATE_WORDS = frozenset("""
abr abril ago agosto agu agustus août apr april aprile aprilie ara aralık aug august augusti
augustus augusztus avr avril ağu ağustos bře března csütörtök cuma cumartesi cze czerwca
czwartek dec december decembrie des desember dez dezember dezembro dic dicembre diciembre
dienstag dimanche dinsdag domenica domingo donderdag donnerstag dub dubna duminică déc décembre
eki ekim elok elokuuta ene enero eyl eylül feb febbraio febr febrero februar februari februarie
february február fev fevereiro fredag freitag friday févr février gen gennaio giovedì giu giugno
gru grudnia haz haziran heinäk heinäkuuta helmik helmikuuta huhtik huhtikuuta hétfő ian ianuarie
iul iulie iun iunie jan janeiro januar januari january január janv janvier jeudi joi jouluk
joulukuuta jueves juil juillet juin jul julho juli julio july jumat jun june junho juni junio
júl július jún június kamis kas kasım kedd keskiviikko kesäk kesäkuuta kvě května kwi kwietnia
lauantai led ledna lip lipca lis listopada listopadu lokak lokakuuta lug luglio lundi lunedì
lunes luni lut lutego lördag lørdag maalisk maaliskuuta maanantai maandag maart mag maggio mai
maio maj maja mandag mar marca march mardi maret marrask marraskuuta mars mart martedì martes
martie marts marzo março marți may mayo mayıs mei mercoledì mercredi miercuri minggu mittwoch
miércoles monday montag mrt máj május márc március märz måndag neděle niedziela nis nisan
noiembrie nov november novembre novembro noviembre oca ocak oct october octobre octombrie
octubre okt oktober október onsdag ott ottobre out outubro pazar pazartesi paź października
perjantai perşembe piątek pondělí poniedziałek pro prosince pátek péntek quarta-feira quinta-
feira rabu sabato sabtu salı samedi samstag saturday segunda-feira selasa senin sep sept
september septembre septembrie septiembre set setembro settembre sexta-feira sie sierpnia sobota
sonntag srp srpna sty stycznia středa sunday sunnuntai syysk syyskuuta szept szeptember szerda
szombat sábado sâmbătă söndag søndag tammik tammikuuta tem temmuz terça-feira thursday tiistai
tirsdag tisdag torsdag torstai toukok toukokuuta tuesday vasárnap vendredi venerdì viernes
vineri vrijdag wednesday woensdag wrz września wtorek zaterdag zondag zář září ápr április
çarşamba úno února úterý července června čtvrtek čvc čvn říj října środa şub şubat απρ απριλίου
αυγ αυγούστου δεκ δεκεμβρίου δευτέρα ιαν ιανουαρίου ιουλ ιουλίου ιουν ιουνίου κυριακή μαΐ μαΐου
μαρ μαρτίου νοε νοεμβρίου οκτ οκτωβρίου πέμπτη παρασκευή σάββατο σεπ σεπτεμβρίου τετάρτη τρίτη
φεβ φεβρουαρίου авг августа апр апреля бер березня вер вересня воскресенье вторник вівторок груд
грудня дек декабря жовт жовтня июл июля июн июня квіт квітня лип липня лист листопада лют лютого
мар марта мая неділя ноя ноября окт октября п'ятниця понедельник понеділок пятница сен сентября
середа серп серпня среда суббота субота січ січня трав травня фев февраля черв червня четвер
четверг янв января أبريل أغسطس أكتوبر الأحد الأربعاء الاثنين الثلاثاء الجمعة الخميس السبت ديسمبر
سبتمبر فبراير مارس مايو نوفمبر يناير يوليو يونيو 土曜日 日曜日 星期一 星期三 星期二 星期五 星期六 星期四 星期日 月曜日 木曜日 水曜日
火曜日 金曜日 금요일 목요일 수요일 월요일 일요일 토요일 화요일
""".split())
