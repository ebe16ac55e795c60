package cli

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/staff"
)

type demoCreds struct {
	MerchantID string `json:"merchant_id"`
	MerchantNo string `json:"merchant_no"`
	APIKey     string `json:"api_key"`
	// The demo's console account (an admin) and its generated password.
	ConsoleEmail    string `json:"console_email,omitempty"`
	ConsolePassword string `json:"console_password,omitempty"`
}

// demo creates the demo merchant on first use and remembers its credentials
// in <data-dir>/demo-credentials.json (mode 0600), so later starts print them
// again.
func demo(ctx context.Context, a *app.App, out io.Writer, base string) error {
	path := filepath.Join(a.Config.DataDir, "demo-credentials.json")
	var c demoCreds
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &c); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if _, err := a.Store.MerchantByID(ctx, c.MerchantID); err != nil {
			if !kyc.IsNotFound(err) {
				return err
			}
			c = demoCreds{} // another database: make a new demo merchant
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	changed := false
	if c.MerchantID == "" {
		created, err := a.Merchants.Create(ctx, "Demo merchant", "cli:demo")
		if err != nil {
			return err
		}
		c, changed = demoCreds{MerchantID: created.Merchant.ID, MerchantNo: created.Merchant.MerchantNo, APIKey: created.APIKey}, true
	}
	if _, err := a.Store.StaffByEmail(ctx, c.ConsoleEmail); c.ConsoleEmail == "" || kyc.IsNotFound(err) {
		c.ConsoleEmail, c.ConsolePassword = "admin@demo.openkyc.local", rand.Text()
		if _, err := a.Staff.Create(ctx, c.ConsoleEmail, staff.RoleAdmin, c.ConsolePassword, nil); err != nil {
			return fmt.Errorf("demo console account: %w", err)
		}
		changed = true
	} else if err != nil {
		return err
	}
	if changed {
		b, _ := json.MarshalIndent(c, "", "  ")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, `openkyc demo
  merchant    %s (merchant_no %s)
  api key     %s
  API         %s/v1   (OpenAPI: %s/v1/openapi.json)
  console     %s/console/   sign in as %s, password %s

Try it:
  export KEY=%s
  curl -s -X POST %s/v1/applicants -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d '{"external_user_id":"user-1","first_name":"Anna","last_name":"Eriksson","date_of_birth":"1990-04-12","nationality":"SE","email":"anna@example.com"}'
  curl -s -X POST %s/v1/applicants/<applicant id>/documents -H "Authorization: Bearer $KEY" -F kind=id_front -F file=@id-front.jpg
  curl -s -X POST %s/v1/verifications -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d '{"applicant_id":"<applicant id>","reference":"order-1"}'
  curl -s -X POST %s/v1/verifications/<verification id>/submit -H "Authorization: Bearer $KEY"
  curl -s %s/v1/verifications/<verification id> -H "Authorization: Bearer $KEY"

Or let the user do it in the browser: create a hosted-page link and open its url:
  curl -s -X POST %s/v1/verifications/<verification id>/links -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{}'

`, c.MerchantID, c.MerchantNo, c.APIKey, base, base, base, c.ConsoleEmail, c.ConsolePassword, c.APIKey, base, base, base, base, base, base)
	printEngines(out, a)
	return nil
}

// printEngines says which engines and lists this server has, and what a
// missing one means for the demo's verifications: the default level never
// approves on a check that could not run.
func printEngines(out io.Writer, a *app.App) {
	missing := a.Degraded()
	if len(missing) == 0 {
		n := 0
		for _, v := range a.Screening.Versions() {
			n += v.Entries
		}
		fmt.Fprintf(out, "Engines: the MRZ reader, the face engine and %d sanctions list entries are loaded.\n\n", n)
		return
	}
	fmt.Fprintln(out, "Engines: not everything is installed, so on the default level a verification ends in review")
	fmt.Fprintln(out, "(CHECK_UNAVAILABLE) rather than approved — openkyc never approves on a check that could not run:")
	for _, m := range missing {
		fmt.Fprintf(out, "  - %s\n", m)
	}
	fmt.Fprintln(out, "Install the OCR and face assets with `make assets`; load the lists with `openkyc lists update`")
	fmt.Fprintln(out, "(or `openkyc lists import DIR` offline). See docs/levels.md for levels that allow a check to be unavailable.")
	fmt.Fprintln(out)
}
