package hosted

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
)

func TestCarriesMRZ(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		docType, country string
		kind             kyc.DocumentKind
		want             bool
	}{
		{"passport", "CN", kyc.DocIDFront, true},
		{"passport", "FR", kyc.DocIDBack, false},
		{"id_card", "DE", kyc.DocIDFront, false},
		{"id_card", "DE", kyc.DocIDBack, true},
		{"id_card", "CN", kyc.DocIDBack, false},
		{"id_card", "SG", kyc.DocIDBack, false},
		{"residence_permit", "DE", kyc.DocIDBack, true},
		{"residence_permit", "DE", kyc.DocIDFront, false},
		{"driving_license", "DE", kyc.DocIDFront, false},
		{"driving_license", "DE", kyc.DocIDBack, false},
		{"passport", "FR", kyc.DocSelfie, false},
		{"passport", "FR", kyc.DocLivenessFrame, false},
		{"passport", "FR", kyc.DocProofOfAddress, false},
		{"", "", kyc.DocIDFront, false},
	} {
		require.Equal(t, tc.want, carriesMRZ(tc.docType, tc.country, tc.kind), "%+v", tc)
	}
}
