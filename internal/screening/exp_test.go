package screening

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

func nameKey(s string) string {
	var ws []string
	for _, t := range tokenize(s) {
		ws = append(ws, t.text)
	}
	sort.Strings(ws)
	return strings.Join(ws, " ")
}

func TestExpEval(t *testing.T) {
	t0 := time.Now()
	entries := loadShared(t)
	ix := Build(entries)
	t.Logf("load+build %v, %d entries, %d names", time.Since(t0), len(entries), len(ix.names))
	// truth: UN entries by name key
	byKey := map[string][]string{}
	for _, e := range entries {
		if e.List != ListUN {
			continue
		}
		for _, n := range e.Names {
			k := nameKey(n.Text)
			byKey[k] = append(byKey[k], e.ID)
		}
	}
	data := sharedData(t)
	unt := readCSV(t, filepath.Join(data, "eval", "yente_positives_un_untreated.csv"))
	tre := readCSV(t, filepath.Join(data, "eval", "yente_positives_un_treated.csv"))
	neg := append(readCSV(t, filepath.Join(data, "eval", "yente_negatives_global.csv")), readCSV(t, filepath.Join(data, "eval", "yente_negatives_us.csv"))...)
	mapped := 0
	var negMax []float64
	t1 := time.Now()
	for _, r := range neg {
		hs := ix.Search(Query{Name: r["full_name"], BirthDate: r["date_of_birth"], Nationality: r["nationality"], Gender: r["gender"], Type: TypePerson, Limit: 1})
		m := 0.0
		if len(hs) > 0 {
			m = hs[0].Score
		}
		negMax = append(negMax, m)
	}
	el := time.Since(t1)
	sort.Float64s(negMax)
	th := negMax[len(negMax)*99/100]
	t.Logf("negatives: %d in %v (%.0f q/s); 99th pct max score %.3f; 99.9th %.3f", len(neg), el, float64(len(neg))/el.Seconds(), th, negMax[len(negMax)*999/1000])
	th += 0.001
	for _, set := range []struct {
		n    string
		rows []map[string]string
	}{{"untreated", unt}, {"treated", tre}} {
		found, total := 0, 0
		var misses []string
		for i, r := range set.rows {
			ids := byKey[nameKey(unt[i]["full_name"])]
			if len(ids) == 0 {
				continue
			}
			if set.n == "untreated" {
				mapped++
			}
			total++
			hs := ix.Search(Query{Name: r["full_name"], BirthDate: r["date_of_birth"], Nationality: r["nationality"], Gender: r["gender"], Type: TypePerson, Threshold: th, Limit: 10})
			ok := false
			for _, h := range hs {
				if h.List == ListUN && contains(ids, h.EntryID) {
					ok = true
				}
			}
			if ok {
				found++
			} else if len(misses) < 25 {
				top := ""
				if len(hs) > 0 {
					top = fmt.Sprintf("%s %.3f", hs[0].Explanation.MatchedName, hs[0].Score)
				}
				all := ix.Search(Query{Name: r["full_name"], BirthDate: r["date_of_birth"], Nationality: r["nationality"], Type: TypePerson, Limit: 50})
				own := ""
				for _, h := range all {
					if h.List == ListUN && contains(ids, h.EntryID) {
						own = fmt.Sprintf("%.3f %v %v", h.Score, h.Explanation.Parts, h.Explanation.Qualifiers)
					}
				}
				misses = append(misses, fmt.Sprintf("%q dob=%s nat=%s | top: %s | own: %s", r["full_name"], r["date_of_birth"], r["nationality"], top, own))
			}
		}
		t.Logf("%s: %d/%d = %.4f (unmapped %d)", set.n, found, total, float64(found)/float64(total), len(set.rows)-total)
		for _, m := range misses {
			t.Log("  miss ", m)
		}
	}
	// cross-script
	for _, strict := range []bool{false, true} {
		var es []*Entry
		for _, e := range entries {
			c := *e
			if strict {
				c.Names = nil
				for _, n := range e.Names {
					if !n.Original {
						c.Names = append(c.Names, n)
					}
				}
			}
			es = append(es, &c)
		}
		ix2 := Build(es)
		found, total := 0, 0
		var misses []string
		for _, e := range entries {
			for _, n := range e.Names {
				if !n.Original {
					continue
				}
				total++
				hs := ix2.Search(Query{Name: n.Text, Threshold: th, Limit: 10})
				ok := false
				for _, h := range hs {
					if h.List == e.List && h.EntryID == e.ID {
						ok = true
					}
				}
				if ok {
					found++
				} else if len(misses) < 15 {
					top := ""
					if len(hs) > 0 {
						top = fmt.Sprintf("%s %.3f", hs[0].Explanation.MatchedName, hs[0].Score)
					}
					misses = append(misses, fmt.Sprintf("%s (%s) | top %s", n.Text, e.Names[0].Text, top))
				}
			}
		}
		t.Logf("cross-script strict=%v: %d/%d = %.3f", strict, found, total, float64(found)/float64(total))
		for _, m := range misses {
			t.Log("  miss ", m)
		}
	}
}
