package verification

import (
	"errors"

	"github.com/openkyc/openkyc/internal/kyc"
)

func asConflict(err error, target **kyc.ConflictError) bool { return errors.As(err, target) }
