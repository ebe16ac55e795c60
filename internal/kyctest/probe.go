package kyctest

import (
	"net/http"
	"sync"
	"time"
)

// HealthProbe asks url every 20 ms until Stop, counting the answers that
// were not 200 and the slowest one (attack tests and load scripts).
type HealthProbe struct {
	stop     chan struct{}
	wg       sync.WaitGroup
	Probes   int
	Failed   int
	Slowest  time.Duration
	interval time.Duration
}

// Probe starts probing url.
func Probe(url string) *HealthProbe {
	p := &HealthProbe{stop: make(chan struct{}), interval: 20 * time.Millisecond}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			select {
			case <-p.stop:
				return
			case <-time.After(p.interval):
			}
			t0 := time.Now()
			res, err := http.Get(url)
			p.Slowest = max(p.Slowest, time.Since(t0))
			p.Probes++
			if err != nil || res.StatusCode != http.StatusOK {
				p.Failed++
			}
			if err == nil {
				res.Body.Close()
			}
		}
	}()
	return p
}

// Stop ends the probing; the counts are final once it returns.
func (p *HealthProbe) Stop() {
	close(p.stop)
	p.wg.Wait()
}
