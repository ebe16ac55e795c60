package screening

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Updater downloads the lists on a schedule and installs them in Dir as
// `openkyc lists update` does: every source fetched into a scratch
// directory, every file loaded, then one rename — a source that fails or
// answers garbage leaves the old lists in place. Replicas that share Dir (a
// shared volume) take turns: an update holds Dir's lock file, and a replica
// that finds the files younger than most of an interval leaves them be.
type Updater struct {
	Dir      string
	Sources  map[string]string // default DefaultSources
	Interval time.Duration     // between updates, ±10 % jitter
	Timeout  time.Duration     // of one update's downloads (default 5 min)
	Client   *http.Client      // default a client with Timeout
	Log      *slog.Logger
	// FirstDelay is the wait before the first update (default a random
	// 1–5 minutes after start: a fleet starting together does not download
	// together, and a short-lived process does not download at all).
	FirstDelay time.Duration

	updated, failed prometheus.Counter
}

// NewUpdater returns an updater with its counters
// (openkyc_lists_updated_total, openkyc_lists_update_failed_total).
func NewUpdater(dir string, interval time.Duration, log *slog.Logger) *Updater {
	return &Updater{Dir: dir, Interval: interval, Log: log,
		updated: prometheus.NewCounter(prometheus.CounterOpts{Name: "openkyc_lists_updated_total",
			Help: "Scheduled list updates that installed new files."}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{Name: "openkyc_lists_update_failed_total",
			Help: "Scheduled list updates that failed (the old lists stay)."}),
	}
}

// Collectors lists the updater's counters to register.
func (u *Updater) Collectors() []prometheus.Collector {
	return []prometheus.Collector{u.updated, u.failed}
}

// Run updates on schedule until ctx ends.
func (u *Updater) Run(ctx context.Context) {
	wait := u.FirstDelay
	if wait <= 0 {
		wait = time.Minute + rand.N(4*time.Minute)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		switch done, err := u.Once(ctx); {
		case err != nil && ctx.Err() == nil:
			u.failed.Inc()
			u.Log.Error("scheduled list update failed; the previous lists stay", "error", err)
		case done:
			u.updated.Inc()
			u.Log.Info("scheduled list update installed new lists", "dir", u.Dir)
		}
		wait = u.Interval - u.Interval/10 + rand.N(u.Interval/5+1)
	}
}

// lockTTL is how old a lock file may be before it is taken for one a
// crashed updater left.
const lockTTL = 30 * time.Minute

// Once updates the lists now unless another replica holds the lock or they
// are younger than 90 % of the interval; done says new lists were installed.
func (u *Updater) Once(ctx context.Context) (done bool, err error) {
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(u.Dir)), 0o755); err != nil {
		return false, err
	}
	lock := filepath.Clean(u.Dir) + ".update.lock"
	f, err := os.OpenFile(lock, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, fs.ErrExist) {
		if fi, serr := os.Stat(lock); serr == nil && time.Since(fi.ModTime()) > lockTTL {
			_ = os.Remove(lock) // a crashed updater's; the next turn takes it
		}
		return false, nil // another replica is updating
	}
	if err != nil {
		return false, err
	}
	f.Close()
	defer os.Remove(lock)
	if newest, ok := newestFile(u.Dir); ok && time.Since(newest) < u.Interval*9/10 {
		return false, nil // fresh enough: another replica, or an operator, updated them
	}
	sources := u.Sources
	if sources == nil {
		sources = DefaultSources
	}
	timeout := u.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	client := u.Client
	if client == nil {
		client = &http.Client{Timeout: timeout}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tmp, err := os.MkdirTemp("", "openkyc-lists-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	files, err := Download(ctx, client, sources, tmp)
	if err != nil {
		return false, err
	}
	if err := allLists(tmp, files); err != nil {
		return false, err
	}
	if _, err := Import(tmp, u.Dir); err != nil {
		return false, fmt.Errorf("downloaded lists refused: %w", err)
	}
	return true, nil
}

// newestFile is the latest modification time of the files in dir.
func newestFile(dir string) (time.Time, bool) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return time.Time{}, false
	}
	var newest time.Time
	for _, e := range ents {
		if fi, err := e.Info(); err == nil && !e.IsDir() && fi.ModTime().After(newest) {
			newest = fi.ModTime()
		}
	}
	return newest, !newest.IsZero()
}

// allLists checks that every downloaded file loads as a list: a source
// answering an error page or a file of another format must not install a
// set without that list.
func allLists(dir string, files []string) error {
	set, err := LoadDir(dir)
	if err != nil {
		return fmt.Errorf("downloaded lists refused: %w", err)
	}
	for _, f := range files {
		found := false
		for _, v := range set.Versions {
			if filepath.Base(strings.SplitN(v.Source, ",", 2)[0]) == f {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("downloaded lists refused: %s is not a list this server reads", f)
		}
	}
	return nil
}
