package app

import (
	"context"

	"github.com/openkyc/openkyc/internal/hostedlink"
	"github.com/openkyc/openkyc/internal/kyc"
)

// hostedLink creates a default hosted-page link (dialects' authenticationUrl).
func (a *App) hostedLink(ctx context.Context, p kyc.Principal, verificationID string) (string, error) {
	l, err := a.Links.Create(ctx, p, verificationID, hostedlink.Input{})
	return l.URL, err
}
