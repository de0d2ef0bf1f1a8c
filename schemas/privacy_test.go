package schemas_test

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ocmap/ocmap/schemas"
)

// scrubFound lists text with personal data and what Scrub must make of it
// (true positives).
var scrubFound = []struct{ in, want string }{
	// CNIC
	{"CNIC 35202-1234567-1 recovered", "CNIC [CNIC] recovered"},
	{"cnic:3520212345671.", "cnic:[CNIC]."},
	{"35202 1234567 1", "[CNIC]"},
	{"accused (CNIC No.61101-1234567-9)", "accused (CNIC No.[CNIC])"},
	{"9920212345671", "[CNIC]"}, // 13 bare digits, whatever the first
	// Mobile numbers
	{"call +92 300 1234567 now", "call [PHONE] now"},
	{"+923001234567", "[PHONE]"},
	{"+92-300-1234567", "[PHONE]"},
	{"+92 (300) 1234567", "[PHONE]"},
	{"+92 (0)300 1234567", "[PHONE]"},
	{"0092 300 1234567", "[PHONE]"},
	{"0092-300-1234567", "[PHONE]"},
	{"00923001234567", "[PHONE]"},
	{"0300-1234567", "[PHONE]"},
	{"0300 1234567", "[PHONE]"},
	{"0300 123 4567", "[PHONE]"},
	{"03001234567", "[PHONE]"},
	{"mob#0345-1234567,0321-7654321", "mob#[PHONE],[PHONE]"},
	{"923001234567", "[PHONE]"},
	{"92-300-1234567", "[PHONE]"},
	{"3001234567", "[PHONE]"},
	{"300-1234567", "[PHONE]"},
	{"0300-123456", "[PHONE]"}, // a digit short, still someone's number
	// Landlines
	{"Tel 051-1234567", "Tel [PHONE]"},
	{"042 35761234", "[PHONE]"},
	{"(021) 1234567", "[PHONE]"},
	{"(021)-1234567", "[PHONE]"},
	{"(021)1234567", "[PHONE]"},
	{"021 3456 7890", "[PHONE]"},
	{"0938 123456", "[PHONE]"},
	{"0511234567", "[PHONE]"},
	{"+92 51 1234567", "[PHONE]"},
	{"+92-42-35761234", "[PHONE]"},
	// Foreign numbers (migrant smuggling cases)
	{"agent in Dubai +971 50 123 4567", "agent in Dubai [PHONE]"},
	{"00971501234567", "[PHONE]"},
	{"+93 70 123 4567", "[PHONE]"},
	// E-mail
	{"mail ali.khan@example.com.pk today", "mail [EMAIL] today"},
	{"ALI_KHAN+fia@Gmail.COM", "[EMAIL]"},
	{"<ali@x.pk>", "<[EMAIL]>"},
	{"to: ali@x.pk.", "to: [EMAIL]."},
	{"03001234567@gmail.com", "[EMAIL]"},
	{"...ali@x.pk", "...[EMAIL]"},
	{"handle @x.com", "handle [EMAIL]"},
	// Other long digit runs
	{"a/c 1234567890123456", "a/c [ID]"},
	{"IBAN PK36SCBL0000001123456702", "IBAN PK36SCBL[ID]"},
	{"IMEI 356938035643809", "IMEI [ID]"},
	{"pi 3.14159265358979323846", "pi 3.[ID]"},
	// Several in one text
	{
		"FIR No. 123/2023 dated 16/07/2023: accused Ali (CNIC 35202-1234567-1, cell 0300-1234567, ali@x.pk) seized 1,250 gm at 14:35.",
		"FIR No. 123/2023 dated 16/07/2023: accused Ali (CNIC [CNIC], cell [PHONE], [EMAIL]) seized 1,250 gm at 14:35.",
	},
	{"on 2023-07-16 0300-1234567 called", "on 2023-07-16 [PHONE] called"},
	{"0300-1234567-35202-1234567-1", "[PHONE]-[CNIC]"},
}

// scrubKept lists text Scrub must leave alone (false positives avoided).
var scrubKept = []string{
	"2023-07-16",
	"16/07/2023",
	"16.07.2023",
	"16-07-2023",
	"20230716",
	"2023-07-16 14:35:00",
	"Rs. 1,250,000/-",
	"1,250,000",
	"12,50,000",
	"1,25,00,000",
	"1250000",
	"FIR No. 123/2023",
	"FIR 1234/2023 u/s 9-C CNSA",
	"at 14:35 hrs",
	"in 2019, 2020 and 2021",
	"2019-2023",
	"1990 2000 2010 2020",
	"seized 12.5 kg",
	"33.6844, 73.0479",
	"73.0511234567", // a decimal's fraction is not a landline
	"Section 302/34 PPC",
	"@ali_khan on Twitter",
	"meet @ 10.30",
	"price@5.5",
	"me@home",
	"a@b",
	"12345-12345-1", // not the 5-7-1 shape
	"123456789012",  // 12 digits, no phone shape
	"01-01-2023",
	"Case 0123 of 2023",
	"3-4 persons",
	"100 kg",
	"",
	"no digits here",
	"(1)(1)(1)(1)(1)(1)(1)(1)",
}

func TestScrub(t *testing.T) {
	for _, tt := range scrubFound {
		t.Run(tt.in, func(t *testing.T) {
			if got, want := schemas.Scrub(tt.in), tt.want; got != want {
				t.Errorf("Scrub(%q) = %q, want %q", tt.in, got, want)
			}
		})
	}
	for _, in := range scrubKept {
		t.Run("keep "+in, func(t *testing.T) {
			if got, want := schemas.Scrub(in), in; got != want {
				t.Errorf("Scrub(%q) = %q, want it unchanged", in, got)
			}
		})
	}
}

func TestScrubNoAlloc(t *testing.T) {
	clean := "ANF seized 12.5 kg of charas on 2023-07-16 at 14:35 near Torkham; FIR No. 123/2023, value Rs. 1,250,000/-."
	if n := testing.AllocsPerRun(100, func() { schemas.Scrub(clean) }); n != 0 {
		t.Errorf("Scrub of clean text allocates %v times", n)
	}
}

func TestLooksPersonal(t *testing.T) {
	personal := []string{
		"35202-1234567-1", "3520212345671", "0300-1234567", "+92 300 1234567", "03001234567",
		"051-1234567", "ali@example.pk", "call 03001234567", "1234567890", "12345 67890",
	}
	notPersonal := []string{
		"", "2023-07-16", "16/07/2023", "1,250,000", "Rs. 50,000/-", "FIR 123/2023", "drug_trafficking",
		"33.6844", "Lahore", "123456789", "@ali",
	}
	for _, s := range personal {
		if !schemas.LooksPersonal([]byte(s)) {
			t.Errorf("LooksPersonal(%q) = false", s)
		}
	}
	for _, s := range notPersonal {
		if schemas.LooksPersonal([]byte(s)) {
			t.Errorf("LooksPersonal(%q) = true", s)
		}
	}
}

func TestHasher(t *testing.T) {
	if _, err := schemas.NewHasher([]byte("short")); err == nil {
		t.Fatal("NewHasher accepted a 5-byte key")
	}
	key := []byte("0123456789abcdef")
	h, err := schemas.NewHasher(key)
	if err != nil {
		t.Fatal(err)
	}
	same := []struct {
		kind string
		a, b string
	}{
		{"cnic", "35202-1234567-1", "3520212345671"},
		{"cnic", " 35202 1234567 1 ", "3520212345671"},
		{"phone", "0300-1234567", "+92 300 1234567"},
		{"phone", "03001234567", "923001234567"},
		{"phone", "0092 300 1234567", "3001234567"},
		{"phone", "+92 (0)300 1234567", "0300 1234567"},
		{"phone", "051-1234567", "+92 51 1234567"},
		{"email", " Ali.Khan@Example.PK", "ali.khan@example.pk"},
		{"name", "Muhammad  ALI\tKhan ", "muhammad ali khan"},
		{"text", " abc ", "abc"},
	}
	for _, tt := range same {
		if ha, hb := h.Hash(tt.kind, tt.a), h.Hash(tt.kind, tt.b); ha != hb {
			t.Errorf("Hash(%s, %q) = %s, Hash(%s, %q) = %s; want equal", tt.kind, tt.a, ha, tt.kind, tt.b, hb)
		}
	}
	different := []struct {
		ka, a, kb, b string
	}{
		{"cnic", "35202-1234567-1", "cnic", "35202-1234567-2"},
		{"phone", "0300-1234567", "phone", "0300-1234568"},
		{"phone", "+971 50 123 4567", "phone", "0501234567"},
		{"cnic", "3520212345671", "text", "3520212345671"}, // kinds never link
		{"name", "Ali Khan", "name", "AliKhan"},
	}
	for _, tt := range different {
		if ha, hb := h.Hash(tt.ka, tt.a), h.Hash(tt.kb, tt.b); ha == hb {
			t.Errorf("Hash(%s, %q) == Hash(%s, %q) = %s", tt.ka, tt.a, tt.kb, tt.b, ha)
		}
	}
	got := h.Hash("cnic", "35202-1234567-1")
	if !regexp.MustCompile(`^h:[0-9a-f]{32}$`).MatchString(got) {
		t.Errorf("Hash = %q, want h: and 32 hex digits", got)
	}
	if strings.Contains(got, "3520212345671") {
		t.Error("hash contains the value")
	}
	other, _ := schemas.NewHasher([]byte("another key, 16+"))
	if other.Hash("cnic", "3520212345671") == got {
		t.Error("two keys give the same hash")
	}
	for _, blank := range []struct{ kind, v string }{{"cnic", "--"}, {"phone", ""}, {"name", "  "}, {"email", ""}} {
		if got := h.Hash(blank.kind, blank.v); got != "" {
			t.Errorf("Hash(%s, %q) = %q, want \"\"", blank.kind, blank.v, got)
		}
	}
	for _, k := range []string{"cnic", "phone", "email", "name", "text"} {
		if !schemas.IsHashKind(k) {
			t.Errorf("IsHashKind(%q) = false", k)
		}
	}
	if schemas.IsHashKind("cinc") {
		t.Error(`IsHashKind("cinc") = true`)
	}
}

func BenchmarkScrub(b *testing.B) {
	texts := map[string]string{
		// No group of 7 digits, nor of 9 with a dot or slash (the date, the
		// FIR number): only the prefilter runs.
		"prose": "ANF seized 12.5 kg of charas near Torkham on 16/07/2023 at 14:35; FIR No. 123/2023 u/s 9-C CNSA, value Rs. 1,250,000/-. The accused were produced before the court.",
		// A date joins 8 digits, so the full scan runs and finds nothing.
		"clean": "ANF seized 12.5 kg of charas on 2023-07-16 at 14:35 near Torkham; FIR No. 123/2023 u/s 9-C CNSA, value Rs. 1,250,000/-. The accused were produced before the court.",
		"pii":   "FIR No. 123/2023 dated 16/07/2023: accused Ali (CNIC 35202-1234567-1, cell 0300-1234567, ali@x.pk) seized 1,250 gm at 14:35; co-accused +92 321 7654321.",
	}
	for _, name := range []string{"prose", "clean", "pii"} {
		s := texts[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				schemas.Scrub(s)
			}
		})
	}
}

func BenchmarkHash(b *testing.B) {
	h, _ := schemas.NewHasher([]byte("0123456789abcdef"))
	b.ReportAllocs()
	for b.Loop() {
		h.Hash("phone", "0300-1234567")
	}
}

var (
	digits13 = regexp.MustCompile(`[0-9]{13}`)
	atDomain = regexp.MustCompile(`@[A-Za-z0-9.-]*[A-Za-z0-9-]\.[A-Za-z]`)
)

func FuzzScrub(f *testing.F) {
	for _, tt := range scrubFound {
		f.Add(tt.in)
	}
	for _, s := range scrubKept {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := schemas.Scrub(s)
		if digits13.MatchString(got) {
			t.Fatalf("Scrub(%q) = %q keeps a 13-digit run", s, got)
		}
		if atDomain.MatchString(got) {
			t.Fatalf("Scrub(%q) = %q keeps an e-mail domain", s, got)
		}
		if again := schemas.Scrub(got); again != got {
			t.Fatalf("Scrub not idempotent: %q -> %q -> %q", s, got, again)
		}
		// Digits of other scripts come out as ASCII digits; nothing else
		// changes without a tag.
		if got != asciiDigits(s) && !strings.Contains(got, "[") {
			t.Fatalf("Scrub(%q) = %q changed text without a tag", s, got)
		}
		schemas.LooksPersonal([]byte(s))
	})
}

// TestScrubRandom checks FuzzScrub's invariants on many strings built from
// the bytes that matter, which finds shapes (bracket chains, separator runs)
// faster than the fuzzer.
func TestScrubRandom(t *testing.T) {
	const alphabet = "0123456789003-- ++(()).@@ax"
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 0, 48)
	for range 200000 {
		buf = buf[:0]
		for n := r.IntN(48); n > 0; n-- {
			buf = append(buf, alphabet[r.IntN(len(alphabet))])
		}
		s := string(buf)
		got := schemas.Scrub(s)
		if digits13.MatchString(got) || atDomain.MatchString(got) {
			t.Fatalf("Scrub(%q) = %q keeps personal data", s, got)
		}
		if again := schemas.Scrub(got); again != got {
			t.Fatalf("Scrub not idempotent: %q -> %q -> %q", s, got, again)
		}
		schemas.LooksPersonal(buf)
	}
}

func ExampleScrub() {
	fmt.Println(schemas.Scrub("FIR No. 123/2023 dated 16/07/2023: accused (CNIC 35202-1234567-1, cell 0300-1234567, ali@example.pk) seized 1,250 gm."))
	fmt.Println(schemas.Scrub("Contact +92 51 1234567 or 0092 300 1234567."))
	// Output:
	// FIR No. 123/2023 dated 16/07/2023: accused (CNIC [CNIC], cell [PHONE], [EMAIL]) seized 1,250 gm.
	// Contact [PHONE] or [PHONE].
}

// TestScrubOtherDigits finds CNIC and phone numbers written in Urdu
// (Extended Arabic-Indic), Arabic-Indic, Devanagari and fullwidth digits.
func TestScrubOtherDigits(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"شناختی کارڈ ۳۵۲۰۲-۱۲۳۴۵۶۷-۱ فون ۰۳۰۰۱۲۳۴۵۶۷", "شناختی کارڈ [CNIC] فون [PHONE]"},
		{"رقم ٣٥٢٠٢١٢٣٤٥٦٧١", "رقم [CNIC]"},
		{"call ０３００-１２３４５６７", "call [PHONE]"},
		{"लाहौर ०३००-१२३४५६७", "लाहौर [PHONE]"},
		{"سال ۲۰۲۳ میں ۱۲ واقعات", "سال 2023 میں 12 واقعات"}, // digits folded, nothing personal
		{"لاہور میں دھماکہ", "لاہور میں دھماکہ"},
	} {
		if got := schemas.Scrub(tt.in); got != tt.want {
			t.Errorf("schemas.Scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if !schemas.LooksPersonal([]byte("۰۳۰۰-۱۲۳۴۵۶۷")) {
		t.Error("LooksPersonal misses a phone number in Urdu digits")
	}
	if s := "لاہور میں دھماکہ"; schemas.Scrub(s) != s || schemas.LooksPersonal([]byte(s)) {
		t.Errorf("plain Urdu text changed or called personal")
	}
}

// asciiDigits writes the digits of the scripts Scrub folds as ASCII,
// leaving invalid bytes as they are.
func asciiDigits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		out := s[i : i+size]
		for _, z := range []rune{'\u0660', '\u06F0', '\u0966', '\uFF10'} {
			if r >= z && r <= z+9 {
				out = string('0' + r - z)
			}
		}
		b.WriteString(out)
		i += size
	}
	return b.String()
}

// TestScrubUnicodeSeparators: word processors and Excel write the hyphens
// and spaces inside numbers as Unicode dashes and no-break spaces; a CNIC or
// phone number so written is still found.
func TestScrubUnicodeSeparators(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"CNIC 35202–1234567–1 held", "CNIC [CNIC] held"}, // en dash
		{"35202—1234567—1", "[CNIC]"},                     // em dash
		{"35202‑1234567‑1", "[CNIC]"},                     // non-breaking hyphen
		{"35202−1234567−1", "[CNIC]"},                     // minus sign
		{"cell 0321–7654321.", "cell [PHONE]."},           // en dash
		{"+92\u00a0300\u00a01234567", "[PHONE]"},          // no-break space
		{"0300\u202f1234567", "[PHONE]"},                  // narrow no-break space
		{"۰۳۰۰–۱۲۳۴۵۶۷", "[PHONE]"},                       // Urdu digits, en dash
		{"Lahore 0300.1234567", "Lahore [PHONE]"},         // a dot after the mobile or area code
		{"tel 042.35761234.", "tel [PHONE]."},
		{"contact 0300/1234567", "contact [PHONE]"}, // or a slash
		{"FIR No. 0123/2023 of 01/07/2023 u/s 302/34", "FIR No. 0123/2023 of 01/07/2023 u/s 302/34"},
		{"33.6844, 73.0479 0.0511234567 12.5 0.300 1.0300.2 v0300.12", "33.6844, 73.0479 0.0511234567 12.5 0.300 1.0300.2 v0300.12"}, // decimals stay
		{"2019–2020 and 2021 – 2022", "2019–2020 and 2021 – 2022"},                                                                   // nothing personal: kept as written
		{"12\u00a0kg – Lahore", "12\u00a0kg – Lahore"},
	} {
		if got := schemas.Scrub(tt.in); got != tt.want {
			t.Errorf("schemas.Scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, s := range []string{"0300–1234567", "35202–1234567–1", "0300\u00a01234567"} {
		if !schemas.LooksPersonal([]byte(s)) {
			t.Errorf("LooksPersonal(%q) = false, want true", s)
		}
	}
}

// TestScrubSeparatedNumbers: numbers an adversarial file wrote with dots or
// slashes between every group, in groupings other than 5-7-1, with the
// country code of a landline and no '+', and passport numbers all reached
// the database, the rejects' reasons and the review listing as written.
func TestScrubSeparatedNumbers(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"phone 0310.111.0010 x", "phone [PHONE] x"},
		{"Karachi 0325/111/0025 Street", "Karachi [PHONE] Street"},
		{"0300.123.45.67", "[PHONE]"},
		{"tel 042.3576.1234", "tel [PHONE]"},
		{"Lahore 0411/111/0411", "Lahore [PHONE]"},
		{"٠٣٠٠.١١١.٠٤١٤", "[PHONE]"},
		{"cnic 35202.1234567.1.", "cnic [CNIC]."},
		{"35202/1234567/1", "[CNIC]"},
		{"352021234567-1", "[CNIC]"},
		{"35202-12345671", "[CNIC]"},
		{"35202 123 4567 1", "[CNIC]"},
		{"landline 92-42-35761234", "landline [PHONE]"},
		{"92 51 1234567", "[PHONE]"},
		{"passport AB1234567 issued", "passport [PASSPORT] issued"},
		{"(ppt:KM7654321)", "(ppt:[PASSPORT])"},
		{"AB۱۲۳۴۵۶۷", "[PASSPORT]"},
	} {
		if got := schemas.Scrub(tt.in); got != tt.want {
			t.Errorf("Scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Legitimate values stay as written.
	for _, s := range []string{
		"FIR 123/2024", "FIR No. 0123/2023/45", "case 051/2023/456", "0123.1999.45", "FIR 0123/2023", "PK0101", "PK604", "district PK0101 and PK604",
		"16.07.2023", "2023/07/16", "05/03/2023", "1.250.000", "1 250 000 000 000", "35202.1234567",
		"35202.12345678", "Section 9(c) CNSA 1997", "u/s 302/34/109", "AB123456", "AB12345678", "ABC1234567",
		"ab1234567", "v0300.12", "1.0300.2", "ICCS 060121", "12.5 kg", "92 kg in 2023",
	} {
		if got := schemas.Scrub(s); got != s {
			t.Errorf("Scrub(%q) = %q, want it unchanged", s, got)
		}
	}
	for _, s := range []string{"0313.111.0013", "0508.111.0508", "35202.1234567.1", "AB1234567"} {
		if !schemas.LooksPersonal([]byte(s)) {
			t.Errorf("LooksPersonal(%q) = false, want true", s)
		}
		if schemas.HeaderLike(s) {
			t.Errorf("HeaderLike(%q) = true, want false", s)
		}
	}
}

// TestLooksPersonalDecimals checks that decimals in a row (a point typed
// in one cell, an SVG's coordinates) are not withheld as personal, while
// numbers with dots that Scrub finds are.
func TestLooksPersonalDecimals(t *testing.T) {
	for _, s := range []string{"31.5204 74.3587", "M 71.2345 32.1234 L 71.5 32.25", "12.5/13.75/14.125", "16/07/2023 14.35"} {
		if schemas.LooksPersonal([]byte(s)) {
			t.Errorf("LooksPersonal(%q) = true, want false", s)
		}
	}
	for _, s := range []string{"0512.111.0508", "0300.123.4567", "35202.1234567.1", "0300 1234567", "12345 67890 1"} {
		if !schemas.LooksPersonal([]byte(s)) {
			t.Errorf("LooksPersonal(%q) = false, want true", s)
		}
	}
}

// TestPrivateID keeps ids in which Scrub finds nothing and hashes the
// others, alike for alike; an id it gave is kept as it is, though its hex
// digits may look like a number to Scrub ("…5540290998811…"), so that an
// id read twice (an export read in again) keeps its links.
func TestPrivateID(t *testing.T) {
	h, err := schemas.NewHasher([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id     string
		hashed bool
	}{
		{"0123/2023", false},
		{"FIR-123/2023", false},
		{"ANF-0042", false},
		{"2024-01-05/17", false},
		{"0300-1234567", true},
		{"FIR 123/2023 PS Saddar 0300-1234567", true},
		{"35202-1234567-1", true},
		{"۰۳۰۰-۱۲۳۴۵۶۷", true},
		{"ali.khan@example.com", true},
		{"AB1234567", true},
	} {
		got := schemas.PrivateID(h, tc.id)
		if hashed := got != tc.id; hashed != tc.hashed {
			t.Errorf("PrivateID(%q) = %q, hashed %v, want %v", tc.id, got, hashed, tc.hashed)
		}
		if again := schemas.PrivateID(h, tc.id); again != got {
			t.Errorf("PrivateID(%q) = %q, then %q", tc.id, got, again)
		}
	}
	// Hashes whose hex digits Scrub takes for a number are kept too.
	found := 0
	for i := range 2000 {
		id := fmt.Sprintf("0300-%07d", i)
		hid := schemas.PrivateID(h, id)
		if schemas.Scrub(hid) == hid {
			continue
		}
		found++
		if got := schemas.PrivateID(h, hid); got != hid {
			t.Errorf("PrivateID(%q) = %q, want it kept: it is the hash of %q", hid, got, id)
		}
	}
	if found == 0 {
		t.Fatal("no hash that Scrub changes among 2000")
	}
}

// TestCanonicalPII: the spellings of one number or address are one form,
// so PrivateID hashes them alike; other numbers and the text around stay
// apart.
func TestCanonicalPII(t *testing.T) {
	for in, want := range map[string]string{
		"0300-1234567":             "03001234567",
		"03001234567":              "03001234567",
		"+92 300 1234567":          "03001234567",
		"+923001234567":            "03001234567",
		"0300 1234567":             "03001234567",
		"0092-300-1234567":         "03001234567",
		"92 300 1234567":           "03001234567",
		"0300.1234567":             "03001234567",
		"۰۳۰۰-۱۲۳۴۵۶۷":             "03001234567",
		"042-35761234":             "04235761234",
		"+44 20 7946 0958":         "442079460958",
		"35202-1234567-1":          "3520212345671",
		"3520212345671":            "3520212345671",
		"FIR 12/2024 0300-1234567": "FIR 12/2024 03001234567",
		"Ali.Khan@Example.com":     "ali.khan@example.com",
		"AB1234567":                "AB1234567",
		"FIR-123/2023":             "FIR-123/2023",
	} {
		if got := schemas.CanonicalPII(in); got != want {
			t.Errorf("CanonicalPII(%q) = %q, want %q", in, got, want)
		}
	}
	h, err := schemas.NewHasher([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	one := schemas.PrivateID(h, "0300-1234567")
	for _, id := range []string{"03001234567", "+92 300 1234567", "+923001234567", "0300 1234567"} {
		if got := schemas.PrivateID(h, id); got != one {
			t.Errorf("PrivateID(%q) = %s, want %s as for 0300-1234567", id, got, one)
		}
	}
	if other := schemas.PrivateID(h, "0301-1234567"); other == one {
		t.Errorf("two numbers hash alike: %s", other)
	}
	// A database whose ids were hashed as written keeps doing so.
	h.AsWritten = true
	if got := schemas.PrivateID(h, "03001234567"); got == schemas.PrivateID(h, "0300-1234567") {
		t.Errorf("as written, two spellings hash alike: %s", got)
	}
}
