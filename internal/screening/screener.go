package screening

import (
	"errors"
	"sort"
	"sync/atomic"
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

// Search screens a query against the current lists.
func (s *Screener) Search(q Query) ([]Hit, []Version, error) {
	c := s.cur.Load()
	if c == nil {
		return nil, nil, ErrNoLists
	}
	return c.ix.Search(q), c.versions, nil
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
