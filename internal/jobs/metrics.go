package jobs

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/openkyc/openkyc/internal/store"
)

// collector reports job counts by kind and state at scrape time.
type collector struct {
	store *store.Store
	desc  *prometheus.Desc
}

// NewCollector returns a Prometheus collector of the job queue:
// openkyc_jobs{kind,state}.
func NewCollector(s *store.Store) prometheus.Collector {
	return collector{store: s, desc: prometheus.NewDesc("openkyc_jobs", "Jobs in the queue by kind and state.", []string{"kind", "state"}, nil)}
}

func (c collector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.store.JobCounts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), k[0], k[1])
	}
}
