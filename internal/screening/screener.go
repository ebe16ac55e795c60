package screening

import (
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ErrNoLists is returned by searches before any list is loaded.
var ErrNoLists = errors.New("no sanctions lists are loaded (openkyc serve --lists-dir DIR, or openkyc lists import DIR)")

// Screener serves searches from the current lists; a new load is indexed
// aside and swapped in whole, so searches never see half a list.
type Screener struct {
	cur      atomic.Pointer[snapshot]
	onChange []func(old, new []Version)
}

type snapshot struct {
	ix       *Index
	versions []Version
	fp       string // the directory's fingerprint when it was read (LoadDir)
}

// NewScreener returns a screener without lists.
func NewScreener() *Screener { return &Screener{} }

// OnChange registers fn to run after a swap that changed a list's content
// (continuous monitoring re-screens then).
func (s *Screener) OnChange(fn func(old, new []Version)) { s.onChange = append(s.onChange, fn) }

// Swap indexes the set and makes it current.
func (s *Screener) Swap(set *Set) { s.swap(set, "") }

func (s *Screener) swap(set *Set, fp string) {
	vs := append([]Version(nil), set.Versions...)
	sort.Slice(vs, func(i, j int) bool { return vs[i].List < vs[j].List })
	next := &snapshot{ix: Build(set.Entries), versions: vs, fp: fp}
	prev := s.cur.Swap(next)
	var old []Version
	if prev != nil {
		old = prev.versions
	}
	if changed(old, vs) {
		for _, fn := range s.onChange {
			fn(old, vs)
		}
	}
}

func changed(a, b []Version) bool {
	if len(a) != len(b) {
		return true
	}
	for i := range a {
		if a[i].List != b[i].List || a[i].SHA256 != b[i].SHA256 {
			return true
		}
	}
	return false
}

// LoadDir loads the lists of a directory and swaps them in.
func (s *Screener) LoadDir(dir string) (*Set, error) {
	fp := Fingerprint(dir) // before reading: a change while loading is seen next time
	set, err := LoadDir(dir)
	if err != nil {
		return nil, err
	}
	s.swap(set, fp)
	return set, nil
}

// fingerprint is the loaded directory's fingerprint ("" when none).
func (s *Screener) fingerprint() string {
	if c := s.cur.Load(); c != nil {
		return c.fp
	}
	return ""
}

// Loaded reports whether lists are loaded.
func (s *Screener) Loaded() bool { return s.cur.Load() != nil }

// Versions are the current lists' versions.
func (s *Screener) Versions() []Version {
	if c := s.cur.Load(); c != nil {
		return c.versions
	}
	return nil
}

// Stale names the loaded lists older than maxAge at now (none when maxAge
// is 0), with their age.
func (s *Screener) Stale(maxAge time.Duration, now time.Time) []string {
	if maxAge <= 0 {
		return nil
	}
	var out []string
	for _, v := range s.Versions() {
		if age := v.Age(now); age > maxAge {
			out = append(out, fmt.Sprintf("%s is %s old (the limit is %s; openkyc lists update)", v.List, age.Round(time.Hour), maxAge))
		}
	}
	return out
}

// Search screens a query against the current lists.
func (s *Screener) Search(q Query) ([]Hit, []Version, error) {
	c := s.cur.Load()
	if c == nil {
		return nil, nil, ErrNoLists
	}
	return c.ix.Search(q), c.versions, nil
}

// SearchInfo is Search, with where the search was bounded.
func (s *Screener) SearchInfo(q Query) ([]Hit, SearchInfo, []Version, error) {
	c := s.cur.Load()
	if c == nil {
		return nil, SearchInfo{}, nil, ErrNoLists
	}
	hits, info := c.ix.SearchInfo(q)
	return hits, info, c.versions, nil
}

// Entry returns a listed entry by list and id (the review console shows
// the entry beside a hit).
func (s *Screener) Entry(list, id string) (*Entry, bool) {
	c := s.cur.Load()
	if c == nil {
		return nil, false
	}
	e, ok := c.ix.byKey[list+"\x00"+id]
	return e, ok
}

// collector reports the loaded lists at scrape time.
type collector struct {
	s          *Screener
	age, count *prometheus.Desc
}

// NewCollector returns a Prometheus collector of the loaded lists:
// openkyc_screening_list_age_seconds{list} (since fetched or published) and
// openkyc_screening_list_entries{list}.
func NewCollector(s *Screener) prometheus.Collector {
	return collector{s: s,
		age: prometheus.NewDesc("openkyc_screening_list_age_seconds",
			"Age of each loaded sanctions list: seconds since it was fetched or published, whichever is later.", []string{"list"}, nil),
		count: prometheus.NewDesc("openkyc_screening_list_entries", "Entries of each loaded sanctions list.", []string{"list"}, nil)}
}

func (c collector) Describe(ch chan<- *prometheus.Desc) { ch <- c.age; ch <- c.count }

func (c collector) Collect(ch chan<- prometheus.Metric) {
	now := time.Now()
	age, count := map[string]float64{}, map[string]float64{}
	for _, v := range c.s.Versions() { // a list in two files: its oldest, all its entries
		age[v.List] = max(age[v.List], v.Age(now).Seconds())
		count[v.List] += float64(v.Entries)
	}
	for l := range age {
		ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, age[l], l)
		ch <- prometheus.MustNewConstMetric(c.count, prometheus.GaugeValue, count[l], l)
	}
}
