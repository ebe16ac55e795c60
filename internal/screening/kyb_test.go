package screening

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"
)

// orgAccuracy are the organisation (KYB) screening figures: the threshold
// at which 1 % of made-up company names raise a hit, and the share of
// listed entities found in the top 10 at it, per perturbation.
type orgAccuracy struct {
	threshold float64
	negatives int
	recall    float64
	perturbed map[string]float64
	positives int
}

// Word lists of the made-up companies: stems from the negative sets' last
// names and places of birth (Latin script), or a common adjective; an
// activity; sometimes a generic word; a legal form of one of many
// countries, as registries write them.
var (
	orgAdjectives = strings.Fields("Blue Golden Northern Southern Eastern Western Pacific Atlantic United First Global Royal Silver Green Red Star Sun Crown Eagle Lion Delta Alpha Omega Prime Grand New Modern Central Coastal Highland Summit Pioneer Liberty Victory Horizon Phoenix Orient Metro Capital Sterling Apex Vertex Unity Harmony")
	orgActivities = strings.Fields("Logistics Shipping Textiles Mining Petroleum Foods Pharma Construction Electronics Steel Chemicals Software Consulting Marine Aviation Energy Agro Motors Properties Realty Media Telecom Security Engineering Machinery Metals Gas Power Solar Garments Leather Furniture Paper Plastics Glass Cement Fertilizers Seeds Tobacco Beverages Dairy Fisheries Transport Freight Express Travel Tours Hotels Resorts Healthcare Medical Diagnostics Biotech Education Finance Credit Insurance Leasing Exchange Commodities Minerals Timber Rubber Cotton Grain Sugar Coffee Tea Spices Seafood Poultry Packaging Printing Advertising Robotics Instruments Optics")
	orgGeneric    = strings.Fields("Trading Group International Holding Holdings Industries Services Solutions Enterprises Partners Ventures Investments Capital Management Development Resources Systems Technologies")
	orgForms      = []string{"LLC", "Ltd", "Limited", "GmbH", "OOO", "ООО", "SARL", "PT", "Sdn Bhd", "JSC", "AO", "S.A.", "S.A. de C.V.", "S.r.l.", "B.V.", "N.V.", "AG", "Pte Ltd", "Pty Ltd", "Co., Ltd.", "Inc.", "Corp.", "FZE", "FZCO", "LLP", "PLC", "Kft", "d.o.o.", "s.r.o.", "Oy", "AB", "A/S", "SpA", "Ltda", "S.L.", "K.K.", "Pvt Ltd", "GmbH & Co. KG", "TOV", "Sp. z o.o."}
)

func orgNegatives(t testing.TB, n int) []string {
	data := filepath.Join(sharedData(t), "eval")
	var stems []string
	for _, f := range []string{"yente_negatives_global.csv", "yente_negatives_us.csv"} {
		for _, r := range readCSV(t, filepath.Join(data, f)) {
			for _, s := range []string{r["last_name"], r["place_of_birth"]} {
				if s != "" && isLatin(s) {
					stems = append(stems, s)
				}
			}
		}
	}
	sort.Strings(stems)
	stems = slices.Compact(stems)
	rng := rand.New(rand.NewPCG(4, 2))
	pick := func(ws []string) string { return ws[rng.IntN(len(ws))] }
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		var parts []string
		switch rng.IntN(4) {
		case 0:
			parts = append(parts, pick(orgAdjectives))
		case 1:
			parts = append(parts, pick(orgAdjectives), pick(stems))
		default:
			parts = append(parts, pick(stems))
		}
		parts = append(parts, pick(orgActivities))
		if rng.IntN(3) == 0 {
			parts = append(parts, pick(orgGeneric))
		}
		if rng.IntN(5) != 0 {
			parts = append(parts, pick(orgForms))
		}
		name := strings.Join(parts, " ")
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

func isLatin(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return true
}

// respelt are other spellings of legal forms, as registries and merchants
// write them.
var respelt = map[string]string{"LIMITED": "Ltd.", "LTD": "Limited", "COMPANY": "Co.", "CO": "Company", "CORPORATION": "Corp.", "CORP": "Corporation",
	"INCORPORATED": "Inc.", "INC": "Incorporated", "LLC": "L.L.C.", "L.L.C": "LLC", "S.A": "SA", "SA": "S.A.", "LTDA": "Limitada", "JSC": "Joint Stock Company",
	"GMBH": "G.m.b.H.", "PLC": "Public Limited Company", "OOO": "ООО", "S.R.L": "SRL", "B.V": "BV", "N.V": "NV", "PTE": "Private"}

// orgPerturbations are what merchants send for a listed company: the
// registry's own spelling, lower case, the legal form written out,
// abbreviated or dropped, "and" for "&", punctuation gone, one typo.
var orgPerturbations = []struct {
	name string
	f    func(rng *rand.Rand, s string) string
}{
	{"as listed", func(_ *rand.Rand, s string) string { return s }},
	{"lower case", func(_ *rand.Rand, s string) string { return strings.ToLower(s) }},
	{"legal form dropped", func(_ *rand.Rand, s string) string {
		ws := strings.Fields(s)
		for len(ws) > 1 {
			if _, ok := forms[strings.ToLower(strings.Trim(ws[len(ws)-1], ".,"))]; !ok {
				break
			}
			ws = ws[:len(ws)-1]
		}
		return strings.Join(ws, " ")
	}},
	{"legal form respelt", func(_ *rand.Rand, s string) string {
		s = strings.NewReplacer("LIMITED LIABILITY COMPANY", "LLC", "JOINT STOCK COMPANY", "JSC").Replace(s)
		ws := strings.Fields(s)
		for i, w := range ws {
			if r, ok := respelt[strings.ToUpper(strings.TrimRight(w, ".,"))]; ok {
				ws[i] = r
			}
		}
		return strings.Join(ws, " ")
	}},
	{"punctuation and &", func(_ *rand.Rand, s string) string {
		s = strings.ReplaceAll(s, "&", " and ")
		return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
	}},
	{"one typo", func(rng *rand.Rand, s string) string {
		b := []byte(s)
		var pos []int
		for i := range b {
			if isASCIILetter(b[i]) {
				pos = append(pos, i)
			}
		}
		if len(pos) < 6 {
			return s
		}
		p := pos[rng.IntN(len(pos))]
		switch rng.IntN(3) {
		case 0:
			return string(append(b[:p:p], b[p+1:]...))
		case 1:
			if p+1 < len(b) && isASCIILetter(b[p+1]) {
				b[p], b[p+1] = b[p+1], b[p]
			}
			return string(b)
		}
		b[p] = 'a' + byte((int(b[p]|0x20-'a')+1+rng.IntN(25))%26)
		return string(b)
	}},
}

func evaluateOrgs(t testing.TB, ix *Index, entries []*Entry) orgAccuracy {
	var a orgAccuracy
	neg := orgNegatives(t, 6000)
	var top []float64
	for _, n := range neg {
		s := 0.0
		if hs := ix.Search(Query{Name: n, Type: TypeEntity, Threshold: 0.4, Limit: 1}); len(hs) > 0 {
			s = hs[0].Score
		}
		top = append(top, s)
	}
	sort.Float64s(top)
	a.negatives = len(neg)
	a.threshold = top[len(top)*99/100] + 0.001
	a.perturbed = map[string]float64{}
	rng := rand.New(rand.NewPCG(8, 9))
	found, total := 0, 0
	for _, p := range orgPerturbations {
		f, n := 0, 0
		for _, e := range entries {
			if e.Type != TypeEntity || len(e.Names) == 0 || !isLatin(e.Names[0].Text) {
				continue
			}
			n++
			for _, h := range ix.Search(Query{Name: p.f(rng, e.Names[0].Text), Type: TypeEntity, Threshold: a.threshold, Limit: 10}) {
				if hitOf(h, e) {
					f++
					break
				}
			}
		}
		a.perturbed[p.name] = float64(f) / float64(n)
		found, total = found+f, total+n
		a.positives = n
	}
	a.recall = float64(found) / float64(total)
	return a
}

// TestOrganisations: legal forms across languages are one form, numbers
// are kept and must agree, a company's name is its whole name.
func TestOrganisations(t *testing.T) {
	t.Parallel()
	es := []*Entry{
		{List: ListOFAC, ID: "1", Type: TypeEntity, Names: []Name{{Text: "11420 CORP."}}},
		{List: ListOFAC, ID: "2", Type: TypeEntity, Names: []Name{{Text: "11421 CORP."}}},
		{List: ListOFAC, ID: "3", Type: TypeEntity, Names: []Name{{Text: "APOLLO INVESTMENT FUND VIII L.P."}}},
		{List: ListOFAC, ID: "4", Type: TypeEntity, Names: []Name{{Text: "OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU KRASNAYA ZVEZDA"}}},
		{List: ListOFAC, ID: "5", Type: TypeEntity, Names: []Name{{Text: "PIONEER"}}},
		{List: ListOFAC, ID: "6", Type: TypeEntity, Names: []Name{{Text: "PT BUMI KARYA SDN BHD"}}},
	}
	ix := Build(es)
	find := func(q string) []string {
		var ids []string
		for _, h := range ix.Search(Query{Name: q, Type: TypeEntity, Threshold: DefaultThreshold}) {
			ids = append(ids, h.EntryID)
		}
		return ids
	}
	require.Equal(t, []string{"1"}, find("11420 Corporation"), "the number decides")
	require.Empty(t, find("Apollo Investment Fund IX LP"), "another fund of the series")
	require.Equal(t, []string{"3"}, find("Apollo Investment Fund VIII, L.P."))
	require.Equal(t, []string{"4"}, find("ООО Красная Звезда"), "ООО is the written-out form")
	require.Equal(t, []string{"4"}, find("Krasnaya Zvezda LLC"))
	require.Empty(t, find("Pioneer Machinery Ltd"), "a company's name is its whole name")
	require.Equal(t, []string{"6"}, find("Bumi Karya Sdn. Bhd."))
}
