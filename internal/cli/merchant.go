package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/merchant"
)

func dialectFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "dialect", Required: true, Usage: "vexora, kyc_sharing, card_binding or paycools"}
}

func dialectOf(cmd *ucli.Command) (kyc.Surface, error) {
	d, ok := kyc.ParseDialect(cmd.String("dialect"))
	if !ok {
		return "", fmt.Errorf("--dialect %q: must be vexora, kyc_sharing, card_binding or paycools", cmd.String("dialect"))
	}
	return d, nil
}

// merchantShowCommand prints a merchant, its dialect app ids, the platform's
// public keys and its dialect settings (never a secret).
func merchantShowCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "show", Usage: "show a merchant, its dialect credentials' public parts and settings", ArgsUsage: "MERCHANT_ID",
		Flags: append(storageFlags(), &ucli.BoolFlag{Name: "json", Usage: "print JSON"}),
		Action: func(ctx context.Context, cmd *ucli.Command) error {
			id := cmd.Args().First()
			if id == "" {
				return errors.New("give the merchant id: openkyc merchant show MERCHANT_ID")
			}
			a, err := openApp(ctx, cmd)
			if err != nil {
				return err
			}
			defer a.Close()
			out, err := showMerchant(ctx, a, id)
			if err != nil {
				return err
			}
			if cmd.Bool("json") {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			cb := out[kyc.SurfaceCardBinding.APIName()].(map[string]any)
			fmt.Fprintf(stdout, "merchant     %s (%s), %s\nmerchant_no  %s\nkyc sharing  appId %s\ncard binding api-key %s\n\nplatform public key (verifies card-binding callbacks):\n%s",
				id, out["name"], out["status"], out["merchant_no"], out[kyc.SurfaceKYCSharing.APIName()].(map[string]any)["app_id"], cb["api_key"], cb["platform_public_key"])
			return nil
		},
	}
}

func showMerchant(ctx context.Context, a *app.App, id string) (map[string]any, error) {
	m, err := a.Merchants.ByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("merchant %s: %w", id, err)
	}
	p := kyc.Principal{MerchantID: id, Actor: "cli"}
	settings := map[kyc.Surface]merchant.Settings{}
	for _, d := range kyc.Dialects {
		if settings[d], err = a.Merchants.Settings(ctx, id, d); err != nil {
			return nil, err
		}
	}
	ksAppID, _, err := a.Merchants.DialectCredentials(ctx, id, kyc.SurfaceKYCSharing)
	if err != nil {
		return nil, err
	}
	apiKey, platformKey, err := a.Merchants.RSACredentials(ctx, p, kyc.SurfaceCardBinding)
	if err != nil {
		return nil, err
	}
	pcAppID, pcKey, err := a.Merchants.RSACredentials(ctx, p, kyc.SurfacePayCools)
	if err != nil {
		return nil, err
	}
	cb := map[string]any{"api_key": apiKey, "platform_public_key": platformKey, "settings": settings[kyc.SurfaceCardBinding]}
	pc := map[string]any{"app_id": pcAppID, "platform_public_key": pcKey, "settings": settings[kyc.SurfacePayCools]}
	for d, out := range map[kyc.Surface]map[string]any{kyc.SurfaceCardBinding: cb, kyc.SurfacePayCools: pc} {
		next, err := a.Merchants.NextPlatformKey(ctx, id, d)
		if err != nil {
			return nil, err
		}
		if next != "" {
			out["next_platform_public_key"] = next // staged by rotate-platform-key
		}
	}
	return map[string]any{"id": m.ID, "merchant_no": m.MerchantNo, "name": m.Name, "status": m.Status, "created_at": m.CreatedAt,
		kyc.SurfaceVexora.APIName():      map[string]any{"merchant_no": m.MerchantNo, "settings": settings[kyc.SurfaceVexora]},
		kyc.SurfaceKYCSharing.APIName():  map[string]any{"app_id": ksAppID, "settings": settings[kyc.SurfaceKYCSharing]},
		kyc.SurfaceCardBinding.APIName(): cb,
		kyc.SurfacePayCools.APIName():    pc,
	}, nil
}

// merchantSetCommand changes a merchant's settings of one dialect.
func merchantSetCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "set", Usage: "change a merchant's settings of a dialect (callback URL, ack mode, card-binding options)",
		Flags: append(storageFlags(), merchantFlag(), dialectFlag(),
			&ucli.StringFlag{Name: "callback-url", Usage: "default callback URL of the dialect (\"\" clears it); https to a public host unless --webhook-allow-private"},
			allowPrivateFlag(),
			&ucli.StringFlag{Name: "ack", Usage: "what acknowledges a callback: 2xx, 200 or codeN such as code0, code1 (\"\" is the dialect's default)"},
			&ucli.BoolFlag{Name: "allow-id-card", Usage: "card_binding: accept doc_type 2 (identity card)"},
			&ucli.StringFlag{Name: "address-pattern", Usage: "card_binding: RE2 pattern for kyc_info.address (\"\" is the default)"}),
		Action: func(ctx context.Context, cmd *ucli.Command) error {
			d, err := dialectOf(cmd)
			if err != nil {
				return err
			}
			var patch merchant.SettingsPatch
			str := func(name string) *string {
				if !cmd.IsSet(name) {
					return nil
				}
				v := cmd.String(name)
				return &v
			}
			patch.CallbackURL, patch.Ack, patch.AddressPattern = str("callback-url"), str("ack"), str("address-pattern")
			if cmd.IsSet("allow-id-card") {
				v := cmd.Bool("allow-id-card")
				patch.AllowIDCard = &v
			}
			return withMerchant(ctx, cmd, func(a *app.App, p kyc.Principal) error {
				s, err := a.Merchants.UpdateSettings(ctx, p, d, patch)
				if err != nil {
					return err
				}
				return json.NewEncoder(stdout).Encode(s)
			})
		},
	}
}

// merchantSetKeyCommand uploads the merchant's public key of a dialect.
func merchantSetKeyCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "set-key", Usage: "upload the merchant's public key (PEM) that verifies its card-binding or PayCools requests",
		Flags: append(storageFlags(), merchantFlag(), dialectFlag(),
			&ucli.StringFlag{Name: "public-key-file", Required: true, Usage: "PEM file with the RSA PUBLIC KEY (2048 bits or more); - for stdin"},
			&ucli.DurationFlag{Name: "overlap", Usage: "when replacing a key in use: how long the previous key keeps verifying requests (at most 720h)"}),
		Action: func(ctx context.Context, cmd *ucli.Command) error {
			d, err := dialectOf(cmd)
			if err != nil {
				return err
			}
			path := cmd.String("public-key-file")
			var b []byte
			if path == "-" {
				b, err = io.ReadAll(io.LimitReader(os.Stdin, 64<<10))
			} else {
				b, err = os.ReadFile(path)
			}
			if err != nil {
				return err
			}
			key := string(b)
			return withMerchant(ctx, cmd, func(a *app.App, p kyc.Principal) error {
				patch := merchant.SettingsPatch{PublicKey: &key}
				if o := int(cmd.Duration("overlap").Seconds()); o > 0 {
					patch.PublicKeyOverlapSeconds = &o
				}
				s, err := a.Merchants.UpdateSettings(ctx, p, d, patch)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "public key of %s set for %s at %s\n", d.APIName(), p.MerchantID, s.UpdatedAt.Format(time.RFC3339))
				if !s.PreviousPublicKeyUntil.IsZero() {
					fmt.Fprintf(stdout, "the previous key verifies requests until %s\n", s.PreviousPublicKeyUntil.Format(time.RFC3339))
				}
				return nil
			})
		},
	}
}

// createdJSON is what merchant create --json prints.
func createdJSON(c merchant.Created) map[string]any {
	return map[string]any{"id": c.Merchant.ID, "merchant_no": c.Merchant.MerchantNo, "name": c.Merchant.Name,
		"status": c.Merchant.Status, "api_key": c.APIKey, "api_key_id": c.KeyID, "created_at": c.Merchant.CreatedAt,
		kyc.SurfaceVexora.APIName():      map[string]string{"merchant_no": c.Merchant.MerchantNo, "app_secret": c.VexoraAppSecret},
		kyc.SurfaceKYCSharing.APIName():  map[string]string{"app_id": c.KYCSharingAppID, "secret": c.KYCSharingSecret},
		kyc.SurfaceCardBinding.APIName(): map[string]string{"api_key": c.CardBindingAPIKey, "platform_public_key": c.CardBindingPlatformKey},
		kyc.SurfacePayCools.APIName():    map[string]string{"app_id": c.PayCoolsAppID, "platform_public_key": c.PayCoolsPlatformKey}}
}

func printCreated(stdout io.Writer, c merchant.Created) {
	fmt.Fprintf(stdout, "merchant    %s\nmerchant_no %s\nname        %s\napi_key     %s\nvexora      merchantNo %s, app secret %s\nkyc sharing appId %s, secret %s\ncard binding api-key %s\npaycools    appId %s\n\nThe keys are shown only now; store them safely.\nUpload the merchant's card-binding public key with: openkyc merchant set-key --merchant %s --dialect card_binding --public-key-file merchant.pub.pem\nplatform public key (verifies card-binding callbacks):\n%s",
		c.Merchant.ID, c.Merchant.MerchantNo, c.Merchant.Name, c.APIKey, c.Merchant.MerchantNo, c.VexoraAppSecret, c.KYCSharingAppID, c.KYCSharingSecret,
		c.CardBindingAPIKey, c.PayCoolsAppID, c.Merchant.ID, strings.TrimRight(c.CardBindingPlatformKey, "\n")+"\n")
}

// overlapFlag is how long rotated-out credentials keep working.
func overlapFlag() ucli.Flag {
	return &ucli.DurationFlag{Name: "overlap", Value: 24 * time.Hour,
		Usage: "how long the previous credential keeps working, so clients can switch (0 ends it now; at most 720h)"}
}

// merchantRotateKeyCommand issues a new API key and ends the old ones after the overlap.
func merchantRotateKeyCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "rotate-key", Usage: "create a new API key (shown once); the merchant's other keys stop working after --overlap", ArgsUsage: "MERCHANT_ID",
		Flags: append(storageFlags(), overlapFlag(), &ucli.BoolFlag{Name: "json", Usage: "print JSON"}),
		Action: func(ctx context.Context, cmd *ucli.Command) error {
			return withMerchantArg(ctx, cmd, "rotate-key MERCHANT_ID", false, func(a *app.App, id string, _ kyc.Surface) error {
				k, err := a.Merchants.RotateAPIKey(ctx, id, cmd.Duration("overlap"), "cli")
				if err != nil {
					return err
				}
				if cmd.Bool("json") {
					return json.NewEncoder(stdout).Encode(map[string]any{"api_key": k.APIKey, "key_id": k.KeyID, "old_keys": k.Expired, "old_until": k.OldUntil})
				}
				fmt.Fprintf(stdout, "new API key (shown once): %s\n%d previous key(s) stop working at %s\n", k.APIKey, k.Expired, k.OldUntil.Format(time.RFC3339))
				return nil
			})
		},
	}
}

// merchantRotateSecretCommand replaces a dialect's HMAC secret with an overlap.
func merchantRotateSecretCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "rotate-secret", Usage: "replace the Vexora or KYC Sharing app secret (shown once); requests signed with the old one are accepted for --overlap",
		ArgsUsage: "MERCHANT_ID",
		Flags:     append(storageFlags(), dialectFlag(), overlapFlag(), &ucli.BoolFlag{Name: "json", Usage: "print JSON"}),
		Action: func(ctx context.Context, cmd *ucli.Command) error {
			return withMerchantArg(ctx, cmd, "rotate-secret MERCHANT_ID --dialect vexora", true, func(a *app.App, id string, d kyc.Surface) error {
				secret, until, err := a.Merchants.RotateDialectSecret(ctx, id, d, cmd.Duration("overlap"), "cli")
				if err != nil {
					return err
				}
				if cmd.Bool("json") {
					return json.NewEncoder(stdout).Encode(map[string]any{"dialect": cmd.String("dialect"), "secret": secret, "old_until": until})
				}
				fmt.Fprintf(stdout, "new %s secret (shown once): %s\nthe previous secret is accepted until %s; callbacks are signed with the new one now\n",
					cmd.String("dialect"), secret, until.Format(time.RFC3339))
				return nil
			})
		},
	}
}

// merchantRotatePlatformKeyCommand stages, then activates, a new platform
// key pair of the card-binding or PayCools dialect.
func merchantRotatePlatformKeyCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "rotate-platform-key",
		Usage: "stage a new platform key pair of card_binding or paycools and print its public key for the merchant to install; " +
			"--activate then makes it sign (the current key signs until then)",
		ArgsUsage: "MERCHANT_ID",
		Flags: append(storageFlags(), dialectFlag(),
			&ucli.BoolFlag{Name: "activate", Usage: "switch signing to the staged key pair"},
			&ucli.BoolFlag{Name: "new", Usage: "replace an already staged key pair with a fresh one"}),
		Action: func(ctx context.Context, cmd *ucli.Command) error {
			return withMerchantArg(ctx, cmd, "rotate-platform-key MERCHANT_ID --dialect card_binding", true, func(a *app.App, id string, d kyc.Surface) error {
				return rotatePlatformKey(ctx, cmd, stdout, a, id, d)
			})
		},
	}
}

func rotatePlatformKey(ctx context.Context, cmd *ucli.Command, stdout io.Writer, a *app.App, id string, d kyc.Surface) error {
	if cmd.Bool("activate") {
		pub, err := a.Merchants.ActivatePlatformKey(ctx, id, d, "cli")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "the staged %s platform key signs from now on (every process within 10 s):\n%s", cmd.String("dialect"), pub)
		return nil
	}
	pub, err := a.Merchants.StagePlatformKey(ctx, id, d, cmd.Bool("new"), "cli")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "next %s platform public key (give it to the merchant; the current key signs until --activate):\n%s",
		cmd.String("dialect"), pub)
	return nil
}

// withMerchantArg runs fn with the app, the merchant id given as the
// argument and, when withDialect, the --dialect flag's dialect.
func withMerchantArg(ctx context.Context, cmd *ucli.Command, usage string, withDialect bool, fn func(a *app.App, id string, dialect kyc.Surface) error) error {
	id := cmd.Args().First()
	if id == "" {
		return errors.New("give the merchant id: openkyc merchant " + usage)
	}
	var d kyc.Surface
	if withDialect {
		var err error
		if d, err = dialectOf(cmd); err != nil {
			return err
		}
	}
	a, err := openApp(ctx, cmd)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a, id, d)
}
