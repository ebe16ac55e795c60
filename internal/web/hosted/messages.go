package hosted

import (
	"net/http"
	"slices"

	"golang.org/x/text/language"

	"github.com/openkyc/openkyc/internal/hostedlink"
)

// messages are the page's texts in every locale; a test keeps both complete.
var messages = map[string]map[string]string{
	"en": {
		"title":                "Identity verification",
		"noscript":             "This page needs JavaScript to use your camera and upload photos.",
		"step":                 "Step %d of %d",
		"doc.heading":          "Choose your document",
		"doc.type":             "Document type",
		"doc.country":          "Issuing country",
		"doc.passport":         "Passport",
		"doc.id_card":          "National identity card",
		"doc.driving_license":  "Driving licence",
		"doc.residence_permit": "Residence permit",
		"doc.continue":         "Continue",
		"front.heading":        "Photograph the front of your document",
		"back.heading":         "Photograph the back of your document",
		"capture.hint":         "Place the document on a dark surface, fill the frame, avoid reflections.",
		"capture.take":         "Take photo",
		"capture.upload":       "Upload a photo instead",
		"capture.nocamera":     "No camera is available or access was refused. Upload a photo instead.",
		"capture.checking":     "Checking the photo…",
		"capture.good":         "The photo looks good.",
		"capture.retake":       "Retake",
		"capture.useanyway":    "Use this photo",
		"capture.failed":       "The photo could not be uploaded. Please try again.",
		"quality.too_small":    "The photo is too small. Move closer or use a higher resolution.",
		"quality.blurry":       "The photo is blurred. Hold still and make sure it is in focus.",
		"quality.glare":        "There is glare on the photo. Tilt the document away from the light.",
		"quality.too_dark":     "The photo is too dark. Find more light.",
		"mrz.not_found":        "We could not find the machine-readable lines (the rows with <<< characters). Take a sharper, straighter photo of the whole document with those lines in view and no glare.",
		"mrz.unreadable":       "The machine-readable lines (the rows with <<< characters) could not be read. Take a sharper, straighter photo of the whole document with those lines in view and no glare.",
		"selfie.heading":       "Take a selfie",
		"selfie.hint":          "Look at the camera and follow the instructions. Several photos are taken.",
		"selfie.start":         "Start",
		"selfie.center":        "Look straight at the camera",
		"selfie.left":          "Turn your head to the left",
		"selfie.right":         "Turn your head to the right",
		"selfie.up":            "Tilt your head up",
		"selfie.down":          "Tilt your head down",
		"selfie.progress":      "Photo %d of %d",
		"review.heading":       "Review and submit",
		"review.document":      "Document",
		"review.front":         "Front photo",
		"review.back":          "Back photo",
		"review.selfie":        "Selfie and liveness photos",
		"review.redo":          "Redo",
		"review.submit":        "Submit for verification",
		"review.consent":       "By submitting you agree that your photos and data are used to verify your identity.",
		"status.heading":       "Verification status",
		"status.processing":    "We are checking your documents. This page updates by itself.",
		"status.review":        "Your verification is being reviewed. You can close this page; you will hear from us.",
		"status.approved":      "You are verified. Thank you.",
		"status.rejected":      "We could not verify you.",
		"status.closed":        "This verification was closed.",
		"status.return":        "Return to the merchant",
		"busy.heading":         "Too many requests",
		"busy.body":            "Please wait a minute and try again.",
		"expired.heading":      "This link has expired",
		"expired.body":         "Ask for a new verification link.",
		"notfound.heading":     "This link is not valid",
		"notfound.body":        "Check that you opened the full link, or ask for a new one.",
		"limit.heading":        "Too many uploads",
		"limit.body":           "This link has taken as many photos as it can. Ask for a new link.",
	},
	"zh-CN": {
		"title":                "身份验证",
		"noscript":             "此页面需要启用 JavaScript 才能使用相机和上传照片。",
		"step":                 "第 %d 步，共 %d 步",
		"doc.heading":          "选择您的证件",
		"doc.type":             "证件类型",
		"doc.country":          "签发国家或地区",
		"doc.passport":         "护照",
		"doc.id_card":          "身份证",
		"doc.driving_license":  "驾驶证",
		"doc.residence_permit": "居留许可",
		"doc.continue":         "继续",
		"front.heading":        "拍摄证件正面",
		"back.heading":         "拍摄证件背面",
		"capture.hint":         "请将证件放在深色平面上，使其充满取景框，避免反光。",
		"capture.take":         "拍照",
		"capture.upload":       "改为上传照片",
		"capture.nocamera":     "没有可用的相机或相机权限被拒绝。请上传照片。",
		"capture.checking":     "正在检查照片…",
		"capture.good":         "照片清晰可用。",
		"capture.retake":       "重拍",
		"capture.useanyway":    "使用此照片",
		"capture.failed":       "照片上传失败，请重试。",
		"quality.too_small":    "照片太小。请靠近一些或使用更高的分辨率。",
		"quality.blurry":       "照片模糊。请保持稳定并确保对焦清晰。",
		"quality.glare":        "照片有反光。请将证件倾斜以避开光源。",
		"quality.too_dark":     "照片太暗。请到光线更好的地方。",
		"mrz.not_found":        "未能找到机读码（带有 <<< 字符的几行）。请重新拍摄一张更清晰、更端正的照片，拍下整个证件，确保这几行完整可见且没有反光。",
		"mrz.unreadable":       "无法识别机读码（带有 <<< 字符的几行）。请重新拍摄一张更清晰、更端正的照片，拍下整个证件，确保这几行完整可见且没有反光。",
		"selfie.heading":       "拍摄自拍照",
		"selfie.hint":          "请看向相机并按照提示操作，系统将拍摄多张照片。",
		"selfie.start":         "开始",
		"selfie.center":        "请直视相机",
		"selfie.left":          "请向左转头",
		"selfie.right":         "请向右转头",
		"selfie.up":            "请抬头",
		"selfie.down":          "请低头",
		"selfie.progress":      "第 %d 张，共 %d 张",
		"review.heading":       "检查并提交",
		"review.document":      "证件",
		"review.front":         "正面照片",
		"review.back":          "背面照片",
		"review.selfie":        "自拍和活体照片",
		"review.redo":          "重做",
		"review.submit":        "提交验证",
		"review.consent":       "提交即表示您同意我们使用您的照片和资料来验证您的身份。",
		"status.heading":       "验证状态",
		"status.processing":    "我们正在检查您的证件，此页面会自动更新。",
		"status.review":        "您的验证正在人工审核中。您可以关闭此页面，我们会通知您结果。",
		"status.approved":      "验证通过，谢谢。",
		"status.rejected":      "我们无法验证您的身份。",
		"status.closed":        "此验证已关闭。",
		"status.return":        "返回商户",
		"busy.heading":         "请求过于频繁",
		"busy.body":            "请稍等一分钟后再试。",
		"expired.heading":      "此链接已过期",
		"expired.body":         "请申请新的验证链接。",
		"notfound.heading":     "此链接无效",
		"notfound.body":        "请确认您打开的是完整链接，或申请新的链接。",
		"limit.heading":        "上传次数过多",
		"limit.body":           "此链接的上传次数已达上限。请申请新的链接。",
	},
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.SimplifiedChinese})

// locale picks the link's locale, else the browser's Accept-Language.
func locale(linkLocale string, r *http.Request) string {
	if slices.Contains(hostedlink.Locales, linkLocale) {
		return linkLocale
	}
	if q := r.URL.Query().Get("locale"); slices.Contains(hostedlink.Locales, q) {
		return q // openkyc.js passes the merchant's choice
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, i, conf := matcher.Match(tags...)
	if conf != language.No && i == 1 {
		return "zh-CN"
	}
	return "en"
}

// Messages returns the texts of a locale (for tests and tools).
func Messages(loc string) map[string]string { return messages[loc] }
