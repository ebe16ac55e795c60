package screening

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func loadFormat(t *testing.T, dir string) *Set {
	t.Helper()
	set, err := LoadDir(filepath.Join("testdata", "formats", dir))
	require.NoError(t, err)
	require.Len(t, set.Versions, 1)
	v := set.Versions[0]
	require.Len(t, v.SHA256, 64)
	require.Equal(t, len(set.Entries), v.Entries)
	return set
}

func byID(set *Set, id string) *Entry {
	for _, e := range set.Entries {
		if e.ID == id {
			return e
		}
	}
	return nil
}

func TestFormats(t *testing.T) {
	t.Parallel()
	t.Run("ofac csv", func(t *testing.T) {
		set := loadFormat(t, "ofac_csv")
		require.Equal(t, ListOFAC, set.Versions[0].List)
		a := byID(set, "99101")
		require.Equal(t, TypePerson, a.Type)
		require.Equal(t, []Name{{Text: "Anna Maria TESTER"}, {Text: "Ana TESTIR"}}, a.Names)
		require.Equal(t, []Date{{Year: 1960, Month: 1, Day: 12}, {Year: 1961}}, a.BirthDates)
		require.Equal(t, []string{"lb"}, a.Countries)
		require.Equal(t, "female", a.Gender)
		require.Equal(t, []string{"RL123456"}, a.Documents)
		c := byID(set, "99102")
		require.Equal(t, TypeEntity, c.Type)
		require.Equal(t, []string{"IRAN", "SDGT"}, c.Programs)
		require.Equal(t, []string{"ae"}, c.Countries, "an entity's address country")
		require.Equal(t, "SAMPLE TRADING COMPANY", c.Names[1].Text)
	})
	t.Run("ofac xml", func(t *testing.T) {
		set := loadFormat(t, "ofac_xml")
		require.Equal(t, "2026-02-20", set.Versions[0].Published.Format("2006-01-02"))
		o := byID(set, "99001")
		require.Equal(t, []Name{{Text: "Omar Khalid AL-SAMARRAI"}, {Text: "Umar AL-SAMARAI"}, {Text: "ABU KHALID", Weak: true}}, o.Names)
		require.Equal(t, []Date{{Year: 1968, Month: 3, Day: 5}}, o.BirthDates)
		require.Equal(t, "male", o.Gender)
		require.Equal(t, []string{"iq"}, o.Countries)
		require.Equal(t, []string{"A1234567"}, o.Documents)
		v := byID(set, "99002")
		require.Equal(t, TypeVessel, v.Type)
		require.Equal(t, []string{"pa"}, v.Countries)
	})
	t.Run("un xml", func(t *testing.T) {
		dir := filepath.Join(sharedData(t), "lists", "un_2026-02")
		set, err := LoadDir(dir)
		require.NoError(t, err)
		v := set.Versions[0]
		require.Equal(t, ListUN, v.List)
		require.Equal(t, 1003, v.Entries)
		require.Equal(t, 730, v.People)
		originals := 0
		for _, e := range set.Entries {
			for _, n := range e.Names {
				if n.Original {
					originals++
				}
			}
		}
		require.Equal(t, 378, originals)
		require.Equal(t, "2026-02-27", v.Published.Format("2006-01-02"))
	})
	t.Run("ofac 2021 csv set", func(t *testing.T) {
		set, err := LoadDir(filepath.Join(sharedData(t), "lists", "ofac_sdn_2021-07"))
		require.NoError(t, err)
		v := set.Versions[0]
		require.Equal(t, 8976, v.Entries)
		require.Equal(t, 8976+11910, v.Names)
		withDOB := 0
		for _, e := range set.Entries {
			if len(e.BirthDates) > 0 {
				withDOB++
			}
		}
		require.Greater(t, withDOB, v.People*8/10, "birth dates parsed out of the remarks")
	})
	t.Run("eu", func(t *testing.T) {
		set := loadFormat(t, "eu")
		require.Equal(t, ListEU, set.Versions[0].List)
		p := byID(set, "9001")
		require.Equal(t, TypePerson, p.Type)
		require.Equal(t, []Name{{Text: "Ivan Petrovich Sidorenko"}, {Text: "Иван Петрович Сидоренко"}, {Text: "Vanya Sidor", Weak: true}}, p.Names)
		require.Equal(t, "male", p.Gender)
		require.Equal(t, []string{"ru"}, p.Countries)
		require.Equal(t, []Date{{Year: 1961, Month: 3, Day: 2}}, p.BirthDates)
		require.Equal(t, []string{"UKR"}, p.Programs)
		require.Equal(t, TypeEntity, byID(set, "9002").Type)
	})
	t.Run("uk csv", func(t *testing.T) {
		set := loadFormat(t, "uk_csv")
		require.Equal(t, ListUK, set.Versions[0].List)
		require.Equal(t, "2026-02-20", set.Versions[0].Published.Format("2006-01-02"))
		k := byID(set, "88001")
		require.Equal(t, []Name{{Text: "Rustam Alievich KARIMOV"}, {Text: "Roustam KARIMOFF", Weak: true}, {Text: "Рустам Каримов", Original: true}}, k.Names)
		require.Equal(t, []Date{{Year: 1970}}, k.BirthDates)
		require.Equal(t, []string{"uz"}, k.Countries)
		require.Equal(t, TypeEntity, byID(set, "88002").Type)
	})
	t.Run("uk xml", func(t *testing.T) {
		set := loadFormat(t, "uk_xml")
		e := byID(set, "RUS9999")
		require.Equal(t, []Name{{Text: "Elena Sergeyevna VOLKOVA"}, {Text: "Yelena VOLKOVA", Weak: true}, {Text: "Елена Сергеевна Волкова", Original: true}}, e.Names)
		require.Equal(t, "female", e.Gender)
		require.Equal(t, []Date{{Year: 1975, Month: 7, Day: 14}}, e.BirthDates)
		require.Equal(t, TypeVessel, byID(set, "RUS9998").Type)
	})
	t.Run("opensanctions", func(t *testing.T) {
		set := loadFormat(t, "opensanctions")
		require.Equal(t, "opensanctions:peps", set.Versions[0].List)
		require.Len(t, set.Entries, 3, "the address is not a target")
		m := byID(set, "sample-pep-1")
		require.Equal(t, "opensanctions:peps", m.List)
		require.Equal(t, []Date{{Year: 1966, Month: 9, Day: 30}}, m.BirthDates)
		require.Equal(t, []Date{{Year: 1958}}, byID(set, "sample-pep-2").BirthDates)
	})
	t.Run("every format searchable", func(t *testing.T) {
		var all []*Entry
		for _, d := range []string{"ofac_csv", "ofac_xml", "eu", "uk_csv", "uk_xml", "opensanctions"} {
			all = append(all, loadFormat(t, d).Entries...)
		}
		ix := Build(all)
		for q, want := range map[string]string{
			"Ivan Sidorenko": "9001", "Рустам Каримов": "88001", "Elena Volkova": "RUS9999", "Umar al-Samarrai": "99001",
			"Maria Fernanda Lopes": "sample-pep-1", "Anna Tester": "99101", "Ocean Pearl": "99002",
		} {
			hs := ix.Search(Query{Name: q, Threshold: DefaultThreshold})
			require.NotEmpty(t, hs, q)
			require.Equal(t, want, hs[0].EntryID, q)
		}
	})
}

func TestLoadDirErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := LoadDir(dir)
	require.ErrorContains(t, err, "no list files found")

	// two sources of one list are refused
	for _, d := range []string{"a", "b"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, d), 0o755))
		b, err := os.ReadFile("testdata/formats/ofac_xml/sdn.xml")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, d, "sdn.xml"), b, 0o644))
	}
	_, err = LoadDir(dir)
	require.ErrorContains(t, err, "two sources for list us_ofac")

	bad := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bad, "sdn.csv"), []byte("abc,\"def\n"), 0o644))
	_, err = LoadDir(bad)
	require.Error(t, err)
	require.True(t, strings.Contains(err.Error(), "sdn.csv"), err.Error())
}

func FuzzParsers(f *testing.F) {
	for _, p := range []string{"ofac_csv/sdn.csv", "ofac_xml/sdn.xml", "eu/eu_fsf.xml", "uk_csv/ConList.csv", "uk_xml/UK_Sanctions_List.xml", "opensanctions/peps.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "formats", p))
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := func() *strings.Reader { return strings.NewReader(string(b)) }
		_, _ = ParseOFAC(r(), r(), r())
		_, _, _ = ParseOFACXML(r())
		_, _, _ = ParseUN(r())
		_, _, _ = ParseEU(r())
		_, _, _ = ParseUKCSV(r())
		_, _, _ = ParseUKXML(r())
		_, _ = ParseFTM(r(), "")
	})
}

func FuzzSearch(f *testing.F) {
	ix := Build(sample())
	for _, s := range []string{"Saddam Hussein", "صدام حسين", "V. V. Putin", "金正恩", "J.P. Morgan & Co.", "abd al-", ",", "Ivan, "} {
		f.Add(s, "1952-10-07", "ru")
	}
	f.Fuzz(func(t *testing.T, name, dob, nat string) {
		for _, h := range ix.Search(Query{Name: name, BirthDate: dob, Nationality: nat}) {
			if h.Score < 0 || h.Score > 1 {
				t.Fatalf("score %v out of range", h.Score)
			}
		}
		_ = ScoreNames(name, nat)
	})
}
