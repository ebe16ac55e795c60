package screening

import (
	"path/filepath"
	"sort"
	"testing"
)

type pairResult struct {
	tp, fp, fn, tn int
}

func (r pairResult) f1() (p, rc, f float64) {
	p = float64(r.tp) / float64(max(1, r.tp+r.fp))
	rc = float64(r.tp) / float64(max(1, r.tp+r.fn))
	return p, rc, 2 * p * rc / max(1e-9, p+rc)
}

func TestExpPairs(t *testing.T) {
	rows := readCSV(t, filepath.Join(sharedData(t), "eval", "nomenklatura_name_bench_cases.csv"))
	type sc struct {
		s     float64
		match bool
		r     map[string]string
		m     NameMatch
	}
	var all []sc
	for _, r := range rows {
		m := ScoreNames(r["name1"], r["name2"])
		all = append(all, sc{m.Score, r["is_match"] == "true", r, m})
	}
	for th := 0.5; th <= 0.9; th += 0.05 {
		var res pairResult
		for _, x := range all {
			switch {
			case x.s >= th && x.match:
				res.tp++
			case x.s >= th:
				res.fp++
			case x.match:
				res.fn++
			default:
				res.tn++
			}
		}
		p, rc, f := res.f1()
		t.Logf("th %.2f P %.3f R %.3f F1 %.3f", th, p, rc, f)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].s > all[j].s })
	for _, x := range all {
		if (x.s >= 0.65) != x.match {
			t.Logf("%v %s | %s | %s | %s", x.match, x.r["name1"], x.r["name2"], x.m, x.r["notes"])
		}
	}
}
