package app

import (
	"context"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/web/hosted"
)

// hostedLink creates a default hosted-page link (dialects' authenticationUrl).
func (a *App) hostedLink(ctx context.Context, p kyc.Principal, verificationID string) (string, error) {
	l, err := a.Links.Create(ctx, p, verificationID, hosted.LinkInput{})
	return l.URL, err
}
