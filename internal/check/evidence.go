package check

import (
	"encoding/json"
	"fmt"

	"github.com/openkyc/openkyc/internal/kyc"
)

// DecodeEvidence reads a stored check's evidence as T, the evidence type
// its check package declares (mrz.Evidence, face.MatchEvidence, …): the
// one definition of that wire shape for every reader. A malformed row is
// an error naming the check, never a panic or a silent zero value.
func DecodeEvidence[T any](c kyc.Check) (T, error) {
	var ev T
	if err := json.Unmarshal(c.Evidence, &ev); err != nil {
		var zero T
		return zero, fmt.Errorf("check %s (%s): evidence: %w", c.ID, c.Kind, err)
	}
	return ev, nil
}
