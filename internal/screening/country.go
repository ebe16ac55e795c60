package screening

import (
	"strings"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

var (
	countryOnce  sync.Once
	countryIndex map[string]string // folded English name or code → ISO alpha-2 (lower case)
)

// countryAliases are list spellings that CLDR's English names do not cover.
var countryAliases = map[string]string{
	"iran": "ir", "iran islamic republic of": "ir", "russia": "ru", "russian federation": "ru", "syria": "sy",
	"syrian arab republic": "sy", "north korea": "kp", "korea north": "kp", "democratic peoples republic of korea": "kp",
	"korea democratic peoples republic of": "kp", "south korea": "kr", "korea south": "kr", "republic of korea": "kr",
	"korea republic of": "kr", "burma": "mm", "myanmar": "mm", "turkey": "tr", "turkiye": "tr", "viet nam": "vn", "vietnam": "vn",
	"lao peoples democratic republic": "la", "laos": "la", "united states of america": "us", "usa": "us", "united states": "us",
	"uk": "gb", "united kingdom of great britain and northern ireland": "gb", "great britain": "gb", "britain": "gb",
	"palestinian": "ps", "palestine": "ps", "state of palestine": "ps", "west bank": "ps", "gaza": "ps",
	"congo democratic republic of the": "cd", "democratic republic of the congo": "cd", "congo kinshasa": "cd",
	"congo republic of the": "cg", "republic of the congo": "cg", "congo": "cg", "cote divoire": "ci", "ivory coast": "ci",
	"bolivia": "bo", "venezuela": "ve", "tanzania": "tz", "united republic of tanzania": "tz", "moldova": "md",
	"republic of moldova": "md", "macedonia": "mk", "north macedonia": "mk", "czech republic": "cz", "czechia": "cz",
	"brunei": "bn", "cabo verde": "cv", "cape verde": "cv", "eswatini": "sz", "swaziland": "sz", "micronesia": "fm",
	"sudan": "sd", "south sudan": "ss", "libya": "ly", "libyan arab jamahiriya": "ly", "yemen": "ye", "iraq": "iq",
	"afghanistan": "af", "pakistan": "pk", "saudi arabia": "sa", "kosovo": "xk", "crimea": "ua", "taiwan": "tw",
	"hong kong": "hk", "macau": "mo", "macao": "mo", "gambia": "gm", "the gambia": "gm", "bahamas": "bs", "the bahamas": "bs",
	"holy see": "va", "vatican": "va", "timor leste": "tl", "east timor": "tl", "netherlands antilles": "an",
	"serbia and montenegro": "rs", "yugoslavia": "rs", "soviet union": "ru", "ussr": "ru", "kyrgyz republic": "kg",
	"slovak republic": "sk", "belarus": "by", "byelorussia": "by",
}

func loadCountries() {
	countryIndex = map[string]string{}
	names := display.English.Regions()
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			r, err := language.ParseRegion(code)
			if err != nil || !r.IsCountry() {
				continue
			}
			lc := strings.ToLower(code)
			countryIndex[lc] = lc
			if n := names.Name(r); n != "" {
				if _, taken := countryIndex[foldCountry(n)]; !taken { // PA before the old PZ "Panama"
					countryIndex[foldCountry(n)] = lc
				}
			}
		}
	}
	for k, v := range countryAliases {
		countryIndex[k] = v
	}
}

func foldCountry(s string) string {
	ws, _ := words(s)
	return strings.Join(ws, " ")
}

// Country returns the ISO 3166 alpha-2 code (lower case) of a country name
// or code, "" when unknown.
func Country(s string) string {
	countryOnce.Do(loadCountries)
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if c, ok := countryIndex[foldCountry(s)]; ok {
		return c
	}
	// adjectives and demonyms the lists use: "Iranian", "Afghan"
	f := foldCountry(s)
	for _, suf := range []string{"ian", "an", "i", "ese", "ish"} {
		if strings.HasSuffix(f, suf) {
			stem := strings.TrimSuffix(f, suf)
			for _, cand := range []string{stem, stem + "a", stem + "ia", stem + "istan", stem + "y"} {
				if c, ok := countryIndex[cand]; ok {
					return c
				}
			}
		}
	}
	return ""
}
