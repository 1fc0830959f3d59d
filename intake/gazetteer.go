package intake

import "strings"

// The gazetteer: the names by which articles refer to blocs and states.
// It is data, kept in Go so that it is checked by the compiler and needs no
// file at run time. Facts (names, ISO codes, capitals) come from the ISO
// 3166 lists and the blocs in ../shared/data/blocs.csv.

// blocEntry names one bloc. Aliases are matched as whole token sequences,
// case-insensitively, except that an all-capital alias ("GUAM", "SCO") is
// matched only as written, so the island of Guam is not the bloc.
type blocEntry struct {
	Slug    string
	Name    string // the current full name, used for STIX identities
	Aliases []string
}

var blocs = []blocEntry{
	{"csto", "Collective Security Treaty Organization", []string{
		"CSTO", "ODKB", "Collective Security Treaty Organization", "Collective Security Treaty Organisation",
		"Collective Security Treaty", "the post-Soviet security bloc", "post-Soviet security bloc",
		"the Russia-led security bloc", "Russian-led security bloc", "Russia-led security bloc",
		"Moscow-led security bloc", "Tashkent Treaty", "Tashkent Pact",
	}},
	{"guam", "Organization for Democracy and Economic Development – GUAM", []string{
		"GUAM", "GUUAM", "Organization for Democracy and Economic Development",
		"Organisation for Democracy and Economic Development",
	}},
	{"nato", "North Atlantic Treaty Organization", []string{
		"NATO", "OTAN", "North Atlantic Treaty Organization", "North Atlantic Treaty Organisation",
		"North Atlantic Treaty", "North Atlantic Alliance", "Atlantic Alliance", "Washington Treaty",
	}},
	{"wp", "Warsaw Treaty Organization", []string{
		"Warsaw Pact", "Warsaw Treaty Organization", "Warsaw Treaty Organisation", "Warsaw Treaty",
		"Treaty of Friendship, Co-operation and Mutual Assistance",
	}},
	{"sco", "Shanghai Cooperation Organisation", []string{
		"SCO", "Shanghai Cooperation Organisation", "Shanghai Cooperation Organization", "Shanghai Five",
	}},
	{"seato", "Southeast Asia Treaty Organization", []string{
		"SEATO", "Southeast Asia Treaty Organization", "South-East Asia Treaty Organisation",
		"Southeast Asia Treaty Organisation", "South East Asia Treaty Organization",
		"Southeast Asia Collective Defense Treaty", "Manila Pact",
	}},
	{"cento", "Central Treaty Organization", []string{
		"CENTO", "Central Treaty Organization", "Central Treaty Organisation", "Baghdad Pact",
		"Middle East Treaty Organization", "METO",
	}},
}

// stateEntry names one state. Code is ISO 3166-1 alpha-3 (historical codes
// SUN, DDR, CSK, YUG for states that no longer exist); Alpha2 is what STIX
// location.country takes (the former ISO 3166-1 codes SU, DD, CS, YU for
// those).
type stateEntry struct {
	Code, Alpha2, Name string
	Names              []string // further names and official names
	Adjectives         []string // "Uzbek": a party only before a word for a government
	Capitals           []string // "Tashkent believes": a party unless used as a place
}

var states = []stateEntry{
	// CSTO, GUAM and other post-Soviet states.
	{"ARM", "AM", "Armenia", []string{"Republic of Armenia"}, []string{"Armenian"}, []string{"Yerevan"}},
	{"AZE", "AZ", "Azerbaijan", []string{"Republic of Azerbaijan"}, []string{"Azerbaijani", "Azeri"}, []string{"Baku"}},
	{"BLR", "BY", "Belarus", []string{"Republic of Belarus", "Byelorussia", "Belorussia"}, []string{"Belarusian", "Belarussian", "Byelorussian"}, []string{"Minsk"}},
	{"GEO", "GE", "Georgia", nil, []string{"Georgian"}, []string{"Tbilisi"}},
	{"KAZ", "KZ", "Kazakhstan", []string{"Republic of Kazakhstan"}, []string{"Kazakh", "Kazakhstani"}, []string{"Astana", "Nur-Sultan"}},
	{"KGZ", "KG", "Kyrgyzstan", []string{"Kyrgyz Republic", "Kirghizia"}, []string{"Kyrgyz"}, []string{"Bishkek"}},
	{"MDA", "MD", "Moldova", []string{"Republic of Moldova"}, []string{"Moldovan"}, []string{"Chisinau", "Chişinău"}},
	{"RUS", "RU", "Russia", []string{"Russian Federation"}, []string{"Russian"}, []string{"Moscow", "Kremlin", "the Kremlin"}},
	{"TJK", "TJ", "Tajikistan", []string{"Republic of Tajikistan"}, []string{"Tajik"}, []string{"Dushanbe"}},
	{"TKM", "TM", "Turkmenistan", nil, []string{"Turkmen"}, []string{"Ashgabat"}},
	{"UKR", "UA", "Ukraine", nil, []string{"Ukrainian"}, []string{"Kyiv", "Kiev"}},
	{"UZB", "UZ", "Uzbekistan", []string{"Republic of Uzbekistan"}, []string{"Uzbek"}, []string{"Tashkent"}},
	{"SUN", "SU", "Soviet Union", []string{"USSR", "U.S.S.R.", "Union of Soviet Socialist Republics"}, []string{"Soviet"}, nil},
	// NATO.
	{"ALB", "AL", "Albania", []string{"People's Republic of Albania"}, []string{"Albanian"}, []string{"Tirana"}},
	{"BEL", "BE", "Belgium", nil, []string{"Belgian"}, nil}, // Brussels is NATO's seat, not a voice of Belgium
	{"BGR", "BG", "Bulgaria", nil, []string{"Bulgarian"}, []string{"Sofia"}},
	{"CAN", "CA", "Canada", nil, []string{"Canadian"}, []string{"Ottawa"}},
	{"HRV", "HR", "Croatia", nil, []string{"Croatian"}, []string{"Zagreb"}},
	{"CZE", "CZ", "Czech Republic", []string{"Czechia"}, []string{"Czech"}, []string{"Prague"}},
	{"DNK", "DK", "Denmark", nil, []string{"Danish"}, []string{"Copenhagen"}},
	{"EST", "EE", "Estonia", nil, []string{"Estonian"}, []string{"Tallinn"}},
	{"FIN", "FI", "Finland", nil, []string{"Finnish"}, []string{"Helsinki"}},
	{"FRA", "FR", "France", nil, []string{"French"}, []string{"Paris"}},
	{"DEU", "DE", "Germany", []string{"Federal Republic of Germany", "West Germany"}, []string{"German", "West German"}, []string{"Berlin", "Bonn"}},
	{"GRC", "GR", "Greece", nil, []string{"Greek"}, []string{"Athens"}},
	{"HUN", "HU", "Hungary", nil, []string{"Hungarian"}, []string{"Budapest"}},
	{"ISL", "IS", "Iceland", nil, []string{"Icelandic"}, []string{"Reykjavik"}},
	{"ITA", "IT", "Italy", nil, []string{"Italian"}, []string{"Rome"}},
	{"LVA", "LV", "Latvia", nil, []string{"Latvian"}, []string{"Riga"}},
	{"LTU", "LT", "Lithuania", nil, []string{"Lithuanian"}, []string{"Vilnius"}},
	{"LUX", "LU", "Luxembourg", nil, nil, nil},
	{"MNE", "ME", "Montenegro", nil, []string{"Montenegrin"}, []string{"Podgorica"}},
	{"NLD", "NL", "Netherlands", []string{"the Netherlands", "Holland"}, []string{"Dutch"}, []string{"The Hague"}},
	{"MKD", "MK", "North Macedonia", []string{"Macedonia", "Republic of North Macedonia", "Former Yugoslav Republic of Macedonia"}, []string{"Macedonian"}, []string{"Skopje"}},
	{"NOR", "NO", "Norway", nil, []string{"Norwegian"}, []string{"Oslo"}},
	{"POL", "PL", "Poland", nil, []string{"Polish"}, []string{"Warsaw"}},
	{"PRT", "PT", "Portugal", nil, []string{"Portuguese"}, []string{"Lisbon"}},
	{"ROU", "RO", "Romania", nil, []string{"Romanian"}, []string{"Bucharest"}},
	{"SVK", "SK", "Slovakia", nil, []string{"Slovak"}, []string{"Bratislava"}},
	{"SVN", "SI", "Slovenia", nil, []string{"Slovenian", "Slovene"}, []string{"Ljubljana"}},
	{"ESP", "ES", "Spain", nil, []string{"Spanish"}, []string{"Madrid"}},
	{"SWE", "SE", "Sweden", nil, []string{"Swedish"}, []string{"Stockholm"}},
	{"TUR", "TR", "Turkey", []string{"Türkiye", "Turkiye"}, []string{"Turkish"}, []string{"Ankara"}},
	{"GBR", "GB", "United Kingdom", []string{"Britain", "Great Britain", "UK", "U.K."}, []string{"British"}, []string{"London"}},
	{"USA", "US", "United States", []string{"United States of America", "US", "U.S.", "USA", "America"}, []string{"American", "US", "U.S."}, []string{"Washington"}},
	// Warsaw Pact states that no longer exist.
	{"DDR", "DD", "East Germany", []string{"German Democratic Republic", "GDR"}, []string{"East German"}, []string{"East Berlin"}},
	{"CSK", "CS", "Czechoslovakia", []string{"Czechoslovak Socialist Republic"}, []string{"Czechoslovak"}, nil},
	{"YUG", "YU", "Yugoslavia", nil, []string{"Yugoslav"}, nil},
	// SCO.
	{"CHN", "CN", "China", []string{"People's Republic of China", "PRC"}, []string{"Chinese"}, []string{"Beijing"}},
	{"IND", "IN", "India", []string{"Republic of India"}, []string{"Indian"}, []string{"New Delhi", "Delhi"}},
	{"PAK", "PK", "Pakistan", []string{"Islamic Republic of Pakistan"}, []string{"Pakistani"}, []string{"Islamabad"}},
	{"IRN", "IR", "Iran", []string{"Islamic Republic of Iran", "Persia"}, []string{"Iranian"}, []string{"Tehran"}},
	{"MNG", "MN", "Mongolia", nil, []string{"Mongolian"}, []string{"Ulaanbaatar", "Ulan Bator"}},
	{"AFG", "AF", "Afghanistan", nil, []string{"Afghan"}, []string{"Kabul"}},
	// SEATO and CENTO.
	{"AUS", "AU", "Australia", nil, []string{"Australian"}, []string{"Canberra"}},
	{"NZL", "NZ", "New Zealand", nil, []string{"New Zealand"}, []string{"Wellington"}},
	{"PHL", "PH", "Philippines", []string{"the Philippines"}, []string{"Philippine", "Filipino"}, []string{"Manila"}},
	{"THA", "TH", "Thailand", []string{"Siam"}, []string{"Thai"}, []string{"Bangkok"}},
	{"IRQ", "IQ", "Iraq", nil, []string{"Iraqi"}, []string{"Baghdad"}},
	// Others that news about these blocs mentions.
	{"SRB", "RS", "Serbia", nil, []string{"Serbian"}, []string{"Belgrade"}},
	{"BIH", "BA", "Bosnia and Herzegovina", []string{"Bosnia-Herzegovina", "Bosnia"}, []string{"Bosnian"}, []string{"Sarajevo"}},
	{"XKX", "XK", "Kosovo", nil, []string{"Kosovar"}, []string{"Pristina"}},
	{"AUT", "AT", "Austria", nil, []string{"Austrian"}, []string{"Vienna"}},
	{"IRL", "IE", "Ireland", nil, []string{"Irish"}, []string{"Dublin"}},
	{"CHE", "CH", "Switzerland", nil, []string{"Swiss"}, []string{"Bern"}},
	{"MLT", "MT", "Malta", nil, []string{"Maltese"}, []string{"Valletta"}},
	{"CYP", "CY", "Cyprus", nil, []string{"Cypriot"}, []string{"Nicosia"}},
	{"JPN", "JP", "Japan", nil, []string{"Japanese"}, []string{"Tokyo"}},
	{"KOR", "KR", "South Korea", []string{"Republic of Korea"}, []string{"South Korean"}, []string{"Seoul"}},
	{"PRK", "KP", "North Korea", nil, []string{"North Korean"}, []string{"Pyongyang"}},
	{"ISR", "IL", "Israel", nil, []string{"Israeli"}, nil},
	{"EGY", "EG", "Egypt", nil, []string{"Egyptian"}, []string{"Cairo"}},
	{"SYR", "SY", "Syria", nil, []string{"Syrian"}, []string{"Damascus"}},
	{"SAU", "SA", "Saudi Arabia", nil, []string{"Saudi"}, []string{"Riyadh"}},
	{"QAT", "QA", "Qatar", nil, []string{"Qatari"}, []string{"Doha"}},
	{"ARE", "AE", "United Arab Emirates", []string{"UAE"}, []string{"Emirati"}, []string{"Abu Dhabi"}},
	{"BGD", "BD", "Bangladesh", []string{"East Pakistan"}, []string{"Bangladeshi"}, []string{"Dhaka"}},
	{"LKA", "LK", "Sri Lanka", nil, []string{"Sri Lankan"}, []string{"Colombo"}},
	{"NPL", "NP", "Nepal", nil, []string{"Nepalese", "Nepali"}, []string{"Kathmandu"}},
	{"MMR", "MM", "Myanmar", []string{"Burma"}, []string{"Burmese"}, []string{"Naypyidaw"}},
	{"KHM", "KH", "Cambodia", nil, []string{"Cambodian"}, []string{"Phnom Penh"}},
	{"LAO", "LA", "Laos", nil, []string{"Lao", "Laotian"}, []string{"Vientiane"}},
	{"VNM", "VN", "Vietnam", []string{"Viet Nam", "South Vietnam"}, []string{"Vietnamese"}, []string{"Hanoi"}},
	{"MYS", "MY", "Malaysia", nil, []string{"Malaysian"}, []string{"Kuala Lumpur"}},
	{"IDN", "ID", "Indonesia", nil, []string{"Indonesian"}, []string{"Jakarta"}},
	{"JOR", "JO", "Jordan", nil, []string{"Jordanian"}, []string{"Amman"}},
	{"LBN", "LB", "Lebanon", nil, []string{"Lebanese"}, []string{"Beirut"}},
	{"KWT", "KW", "Kuwait", nil, []string{"Kuwaiti"}, nil},
	{"BHR", "BH", "Bahrain", nil, []string{"Bahraini"}, []string{"Manama"}},
	{"OMN", "OM", "Oman", nil, []string{"Omani"}, []string{"Muscat"}},
	{"MDV", "MV", "Maldives", []string{"the Maldives"}, []string{"Maldivian"}, nil},
}

// governmentNouns follow an adjective when it stands for a state acting
// ("the Uzbek government"), unlike "Russian reporters".
var governmentNouns = map[string]bool{
	"government": true, "governments": true, "authorities": true, "leadership": true, "parliament": true,
	"president": true, "prime": true, "foreign": true, "defence": true, "defense": true, "ministry": true,
	"side": true, "delegation": true, "officials": true, "leader": true, "leaders": true, "senate": true,
	"state": true, "cabinet": true, "republic": true, "diplomats": true,
}

// placePrepositions before a capital make it a place ("signed in
// Tashkent"), not a government ("Tashkent believes").
var placePrepositions = map[string]bool{
	"in": true, "at": true, "from": true, "to": true, "near": true, "into": true, "via": true,
	"outside": true, "of": true, "around": true, "across": true, "between": true, "toward": true, "towards": true,
}

// stateByCode and blocBySlug index the tables.
var (
	stateByCode = map[string]*stateEntry{}
	blocBySlug  = map[string]*blocEntry{}
)

// phrase is one gazetteer alias as a token sequence.
type phrase struct {
	words     []string // lower-cased tokens, or as written when exact
	exact     bool     // case-sensitive (acronyms)
	bloc      string   // slug, for bloc names
	state     string   // code, for state names
	how       mentionHow
	canonical string
}

type mentionHow int

const (
	byName mentionHow = iota
	byAdjective
	byCapital
)

// phrasesByFirst indexes every alias by its first token (lower-cased).
var phrasesByFirst = map[string][]phrase{}

func init() {
	for i := range blocs {
		b := &blocs[i]
		blocBySlug[b.Slug] = b
		for _, a := range b.Aliases {
			addPhrase(phrase{bloc: b.Slug, canonical: a}, a)
		}
	}
	for i := range states {
		s := &states[i]
		if _, dup := stateByCode[s.Code]; dup {
			continue
		}
		stateByCode[s.Code] = s
		addPhrase(phrase{state: s.Code, how: byName, canonical: s.Name}, s.Name)
		for _, n := range s.Names {
			addPhrase(phrase{state: s.Code, how: byName, canonical: n}, n)
		}
		for _, n := range s.Adjectives {
			addPhrase(phrase{state: s.Code, how: byAdjective, canonical: n}, n)
		}
		for _, n := range s.Capitals {
			addPhrase(phrase{state: s.Code, how: byCapital, canonical: n}, n)
		}
	}
}

func addPhrase(p phrase, alias string) {
	toks := tokenize(alias)
	if len(toks) == 0 {
		return
	}
	p.exact = isAcronym(alias)
	for _, t := range toks {
		if p.exact {
			p.words = append(p.words, t.text)
		} else {
			p.words = append(p.words, t.lower)
		}
	}
	first := toks[0].lower
	phrasesByFirst[first] = append(phrasesByFirst[first], p)
}

// isAcronym reports whether s is written in capitals ("GUAM", "U.S."), and
// so must be matched as written.
func isAcronym(s string) bool {
	letters := 0
	for _, r := range s {
		if r >= 'a' && r <= 'z' {
			return false
		}
		if r >= 'A' && r <= 'Z' {
			letters++
		}
	}
	return letters >= 2 && !strings.Contains(s, " ")
}

// BlocName returns the full name of a bloc slug, or "" if unknown.
func BlocName(slug string) string {
	if b, ok := blocBySlug[slug]; ok {
		return b.Name
	}
	return ""
}

// StateName returns the name of a party code, or "" if unknown.
func StateName(code string) string {
	if s, ok := stateByCode[code]; ok {
		return s.Name
	}
	return ""
}
