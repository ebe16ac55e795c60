package screening

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Set is the entries of every list loaded from one place, with a version
// per list.
type Set struct {
	Entries  []*Entry
	Versions []Version
}

// MaxListFile bounds one list file (the largest official file, OFAC's
// SDN XML, is about 30 MB).
const MaxListFile = 512 << 20

// LoadDir loads every list file under dir, recognising the formats by
// name and content: OFAC sdn.csv (with alt.csv and add.csv beside it) or
// sdn.xml, the UN consolidated XML, the EU FSF XML, the UK ConList.csv or
// UK Sanctions List XML, and OpenSanctions FtM JSON lines (*.json,
// *.jsonl: the dataset is the file name up to its first dot). Each list
// may come from one source only.
func LoadDir(dir string) (*Set, error) {
	files, err := listFiles(dir, 0)
	if err != nil {
		return nil, fmt.Errorf("lists dir: %w", err)
	}
	sort.Strings(files)
	set := &Set{}
	from := map[string]string{}
	for _, p := range files {
		entries, v, ok, err := loadFile(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if !ok {
			continue
		}
		if prev, dup := from[v.List]; dup {
			return nil, fmt.Errorf("two sources for list %s: %s and %s (keep one per list)", v.List, prev, v.Source)
		}
		from[v.List] = v.Source
		set.Entries = append(set.Entries, entries...)
		set.Versions = append(set.Versions, v)
	}
	if len(set.Versions) == 0 {
		return nil, fmt.Errorf("lists dir %s: no list files found (sdn.csv, sdn.xml, UN/EU/UK XML, ConList.csv, *.json)", dir)
	}
	return set, nil
}

// listFiles returns the files under dir, following symbolic links (an
// operator may link list folders in), at most 4 levels deep.
func listFiles(dir string, depth int) ([]string, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range des {
		if strings.HasPrefix(d.Name(), ".") {
			continue // hidden, and the import's temporary folders
		}
		p := filepath.Join(dir, d.Name())
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		switch {
		case fi.IsDir() && depth < 4:
			sub, err := listFiles(p, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		case fi.Mode().IsRegular():
			out = append(out, p)
		}
	}
	return out, nil
}

func readLimited(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxListFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxListFile {
		return nil, fmt.Errorf("larger than %d MB", MaxListFile>>20)
	}
	return b, nil
}

// loadFile loads one list file; ok is false for files that are not lists
// or that belong to another file (OFAC's alt.csv and add.csv).
func loadFile(p string) ([]*Entry, Version, bool, error) {
	base := strings.ToLower(filepath.Base(p))
	ext := filepath.Ext(base)
	switch base {
	case "alt.csv", "add.csv", "sdn_comments.csv", "readme.md", "readme.txt":
		return nil, Version{}, false, nil
	}
	if ext != ".csv" && ext != ".xml" && ext != ".json" && ext != ".jsonl" {
		return nil, Version{}, false, nil
	}
	b, err := readLimited(p)
	if err != nil {
		return nil, Version{}, false, err
	}
	h := sha256.New()
	h.Write(b)
	v := Version{Source: p}
	var entries []*Entry
	switch {
	case base == "sdn.csv":
		v.List = ListOFAC
		var alt, add io.Reader
		for _, side := range []struct {
			name string
			r    *io.Reader
		}{{"alt.csv", &alt}, {"add.csv", &add}} {
			sp := filepath.Join(filepath.Dir(p), side.name)
			if sb, err := readLimited(sp); err == nil {
				h.Write(sb)
				*side.r = bytes.NewReader(sb)
				v.Source += "," + side.name
			} else if !errors.Is(err, fs.ErrNotExist) {
				return nil, v, false, err
			}
		}
		entries, err = ParseOFAC(bytes.NewReader(b), alt, add)
	case ext == ".xml":
		switch root := xmlRoot(b); root {
		case "sdnList":
			v.List = ListOFAC
			entries, v.Published, err = ParseOFACXML(bytes.NewReader(b))
		case "CONSOLIDATED_LIST":
			v.List = ListUN
			entries, v.Published, err = ParseUN(bytes.NewReader(b))
		case "export":
			v.List = ListEU
			entries, v.Published, err = ParseEU(bytes.NewReader(b))
		case "Designations":
			v.List = ListUK
			entries, v.Published, err = ParseUKXML(bytes.NewReader(b))
		default:
			return nil, v, false, nil
		}
	case ext == ".csv":
		head := strings.ToLower(string(b[:min(len(b), 4096)]))
		if !strings.Contains(head, "group id") {
			return nil, v, false, nil
		}
		v.List = ListUK
		entries, v.Published, err = ParseUKCSV(bytes.NewReader(b))
	default: // .json, .jsonl
		ds := strings.SplitN(filepath.Base(p), ".", 2)[0]
		v.List = "opensanctions:" + ds
		entries, err = ParseFTM(bytes.NewReader(b), ds)
	}
	if err != nil {
		return nil, v, false, err
	}
	v.SHA256 = hex.EncodeToString(h.Sum(nil))
	v.LoadedAt = time.Now().UTC()
	if fi, err := os.Stat(p); err == nil {
		v.Fetched = fi.ModTime().UTC()
	}
	v.Entries = len(entries)
	for _, e := range entries {
		v.Names += len(e.Names)
		if e.Type == TypePerson {
			v.People++
		}
	}
	return entries, v, true, nil
}

// xmlRoot is the local name of a document's root element.
func xmlRoot(b []byte) string {
	d := xml.NewDecoder(bytes.NewReader(b[:min(len(b), 64<<10)]))
	for {
		t, err := d.Token()
		if err != nil {
			return ""
		}
		if se, ok := t.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
}
