package screening

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// DefaultSources are the official download addresses of `openkyc lists
// update`, by source name; each is saved under the file name LoadDir
// recognises. The EU file needs a token in its URL (register with the EU
// Financial Sanctions Files service) and is not fetched by default.
var DefaultSources = map[string]string{
	"ofac":               "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.XML",
	"un":                 "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
	"uk":                 "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv",
	"opensanctions:peps": "https://data.opensanctions.org/datasets/latest/peps/entities.ftm.json",
}

// sourceFile is the file name a source is saved as.
func sourceFile(name string) (string, error) {
	switch {
	case name == "ofac":
		return "sdn.xml", nil
	case name == "un":
		return "un_consolidated.xml", nil
	case name == "eu":
		return "eu_fsf.xml", nil
	case name == "uk":
		return "ConList.csv", nil
	case strings.HasPrefix(name, "opensanctions:") && len(name) > len("opensanctions:"):
		ds := strings.TrimPrefix(name, "opensanctions:")
		if strings.ContainsAny(ds, `/\.`) {
			return "", fmt.Errorf("source %q: the dataset name may not hold / \\ or .", name)
		}
		return ds + ".json", nil
	}
	return "", fmt.Errorf("unknown source %q (ofac, un, eu, uk, opensanctions:<dataset>)", name)
}

// Download fetches each source into dir (a new directory) with the client,
// bounded in size, and returns the files written.
func Download(ctx context.Context, client *http.Client, sources map[string]string, dir string) ([]string, error) {
	names := make([]string, 0, len(sources))
	for n := range sources {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		file, err := sourceFile(n)
		if err != nil {
			return nil, err
		}
		if err := fetch(ctx, client, sources[n], filepath.Join(dir, file)); err != nil {
			return nil, fmt.Errorf("source %s: %w", n, err)
		}
		out = append(out, file)
	}
	return out, nil
}

func fetch(ctx context.Context, client *http.Client, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "openkyc-lists-update")
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(res.Body, MaxListFile+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > MaxListFile {
		err = fmt.Errorf("GET %s: larger than %d MB", url, MaxListFile>>20)
	}
	return err
}

// Import validates the lists in src (every file must load) and installs
// them as dst, replacing its content in one rename: a server watching dst
// sees either the old or the new lists. It returns the loaded set.
func Import(src, dst string) (*Set, error) {
	set, err := LoadDir(src)
	if err != nil {
		return nil, err
	}
	parent := filepath.Dir(filepath.Clean(dst))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	tmp := filepath.Join(parent, "."+filepath.Base(dst)+".new-"+hex.EncodeToString(suffix))
	if err := copyTree(src, tmp); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	old := filepath.Join(parent, "."+filepath.Base(dst)+".old-"+hex.EncodeToString(suffix))
	if err := os.Rename(dst, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		os.RemoveAll(tmp)
		return nil, err
	}
	if err := os.Rename(tmp, dst); err != nil {
		_ = os.Rename(old, dst)
		os.RemoveAll(tmp)
		return nil, err
	}
	os.RemoveAll(old)
	return set, nil
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
		// the copy keeps the source's time: an old snapshot imported stays old
		// for --lists-max-age (Version.Fetched)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		return os.Chtimes(target, fi.ModTime(), fi.ModTime())
	})
}

// Fingerprint summarises a directory's files (names, sizes, times) to
// notice a change cheaply; "" when it does not exist.
func Fingerprint(dir string) string {
	var b strings.Builder
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			fmt.Fprintf(&b, "%s|%d|%d\n", p, fi.Size(), fi.ModTime().UnixNano())
		}
		return nil
	})
	return b.String()
}

// Watch reloads dir into the screener whenever its fingerprint changes,
// every interval, until ctx ends; failed loads keep the current lists.
func (s *Screener) Watch(ctx context.Context, dir string, interval time.Duration, onErr func(error), onLoad func(*Set)) {
	last := s.fingerprint() // what is loaded, not what is there now: a change before the first tick counts
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fp := Fingerprint(dir)
		if fp == last || fp == "" {
			continue
		}
		last = fp
		set, err := s.LoadDir(dir)
		if err != nil {
			onErr(err) // the current lists stay; the next change is tried again
			continue
		}
		onLoad(set)
	}
}
