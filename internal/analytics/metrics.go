// Package analytics is the console's analytics: the counters the services
// add in the transactions of the changes they count (metric names here),
// and the report the analytics page shows, computed from those counters.
package analytics

import "math"

// Analytics metrics: what the console's analytics page counts, per day.
const (
	MetricCreated     = "created"
	MetricDocuments   = "documents"      // the verification's applicant has documents (once per verification)
	MetricSubmitted   = "submitted"      // each submission, resubmissions included
	MetricDecided     = "decided."       // + approved, rejected.retry, rejected.final
	MetricAuto        = "auto"           // decided by the level's policy, no person
	MetricFourEyes    = "four_eyes"      // decided by a second reviewer's confirmation
	MetricReviewIn    = "review.in"      // handed to review
	MetricReviewOut   = "review.out"     // left review (decided, or asked again)
	MetricReviewTime  = "review.time.b"  // + bucket: time in review, log2 seconds
	MetricReason      = "reason."        // + code: a rejection's reasons
	MetricReviewWhy   = "review_reason." // + code: why it went to review
	MetricReviewer    = "reviewer."      // + actor: decisions per reviewer
	MetricCheck       = "check."         // + kind.status[.not_run_kind]
	MetricClosed      = "closed"         // cancelled or expired
	MetricLinkCreated = "link.created"
	MetricLinkOpened  = "link.opened" // first opened by the end user
	MetricLinkDone    = "link.submitted"
)

// LogBucket is the histogram bucket of v (seconds, milliseconds): 0 for
// v < 1, then ⌊log2 v⌋ + 1, so bucket b holds [2^(b-1), 2^b).
func LogBucket(v float64) int {
	if v < 1 {
		return 0
	}
	return int(math.Log2(v)) + 1
}

// Webhook metrics, per endpoint: webhook.<endpoint id>.<what>.
const (
	MetricWebhook  = "webhook."
	WebhookSent    = ".sent"
	WebhookOK      = ".ok"
	WebhookRetry   = ".retry"     // attempts after the first
	WebhookLatency = ".latency.b" // + bucket: log2 milliseconds
)
