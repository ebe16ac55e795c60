// Package face detects, aligns and embeds faces on CPU with ONNX Runtime
// (loaded at run time with dlopen, so the build needs no library) and the
// fr_* models: RFB-320 detection, 68-point landmarks reduced to 5, a
// similarity transform to the ArcFace 112×112 template, and a 512-d
// embedding compared by cosine similarity.
package face

import (
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
)

// Engine runs the face models. The zero value is unusable; use Open.
type Engine struct {
	detect, landmark, feature, pose, eye, live *session
}

// Config locates the runtime and the models.
type Config struct {
	RuntimeLib string // libonnxruntime.so.1
	ModelsDir  string // fr_detect.onnx, fr_landmark.onnx, fr_feature.onnx
}

// ErrUnavailable says what is missing (checks then report not_run).
var ErrUnavailable = errors.New("face engine unavailable")

// Available reports what is missing, if anything.
func (c Config) Available() error {
	if _, err := os.Stat(c.RuntimeLib); err != nil {
		return fmt.Errorf("%w: ONNX Runtime (%s) is missing (scripts/install-assets.sh)", ErrUnavailable, c.RuntimeLib)
	}
	for _, m := range []string{"fr_detect", "fr_landmark", "fr_feature", "fr_pose"} {
		if _, err := os.Stat(filepath.Join(c.ModelsDir, m+".onnx")); err != nil {
			return fmt.Errorf("%w: model %s.onnx is missing from %s (scripts/install-assets.sh)", ErrUnavailable, m, c.ModelsDir)
		}
	}
	return nil
}

var (
	envOnce sync.Once
	envErr  error
	envLib  string
)

// PoolSize is how many sessions of each model run at once.
var PoolSize = runtime.GOMAXPROCS(0)

// Open loads the runtime (once per process) and the models.
func Open(c Config) (*Engine, error) {
	if err := c.Available(); err != nil {
		return nil, err
	}
	envOnce.Do(func() {
		envLib = c.RuntimeLib
		envErr = initRuntime(c.RuntimeLib)
	})
	if envErr != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, envErr)
	}
	e := &Engine{}
	var err error
	if e.detect, err = newSession(filepath.Join(c.ModelsDir, "fr_detect.onnx")); err != nil {
		return nil, err
	}
	if e.landmark, err = newSession(filepath.Join(c.ModelsDir, "fr_landmark.onnx")); err != nil {
		return nil, err
	}
	if e.feature, err = newSession(filepath.Join(c.ModelsDir, "fr_feature.onnx")); err != nil {
		return nil, err
	}
	if e.pose, err = newSession(filepath.Join(c.ModelsDir, "fr_pose.onnx")); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(c.ModelsDir, "fr_eye.onnx")); err == nil {
		if e.eye, err = newSession(filepath.Join(c.ModelsDir, "fr_eye.onnx")); err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(filepath.Join(c.ModelsDir, "fr_liveness.onnx")); err == nil {
		if e.live, err = newSession(filepath.Join(c.ModelsDir, "fr_liveness.onnx")); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Face is one detected face.
type Face struct {
	Box       image.Rectangle `json:"-"`
	Score     float64         `json:"score"`
	Landmarks [5][2]float64   `json:"landmarks"` // eyes, nose, mouth corners
	eyes      [2]image.Rectangle
}

// MarshalJSON writes the box as [x0, y0, x1, y1] and landmarks rounded.
func (f Face) MarshalJSON() ([]byte, error) {
	var lm [5][2]float64
	for i, p := range f.Landmarks {
		lm[i] = [2]float64{math.Round(p[0]*10) / 10, math.Round(p[1]*10) / 10}
	}
	return json.Marshal(struct {
		Box       [4]int        `json:"box"`
		Score     float64       `json:"score"`
		Landmarks [5][2]float64 `json:"landmarks"`
	}{[4]int{f.Box.Min.X, f.Box.Min.Y, f.Box.Max.X, f.Box.Max.Y}, f.Score, lm})
}

// MinScore is the detection threshold.
const MinScore = 0.7

// sampler reads the RGB channels of an image, directly from the pixel
// buffers of the common decoded types (the image.Image interface costs an
// allocation per pixel).
type sampler struct {
	img   image.Image
	b     image.Rectangle
	rgba  *image.RGBA
	nrgba *image.NRGBA
	ycc   *image.YCbCr
	gray  *image.Gray
}

func newSampler(img image.Image) sampler {
	s := sampler{img: img, b: img.Bounds()}
	switch m := img.(type) {
	case *image.RGBA:
		s.rgba = m
	case *image.NRGBA:
		s.nrgba = m
	case *image.YCbCr:
		s.ycc = m
	case *image.Gray:
		s.gray = m
	}
	return s
}

func (s sampler) px(x, y int) (r, g, b float64) {
	switch {
	case s.rgba != nil:
		i := s.rgba.PixOffset(x, y)
		p := s.rgba.Pix[i : i+3 : i+3]
		return float64(p[0]), float64(p[1]), float64(p[2])
	case s.nrgba != nil: // photos are opaque: the alpha is ignored
		i := s.nrgba.PixOffset(x, y)
		p := s.nrgba.Pix[i : i+3 : i+3]
		return float64(p[0]), float64(p[1]), float64(p[2])
	case s.ycc != nil:
		yi, ci := s.ycc.YOffset(x, y), s.ycc.COffset(x, y)
		rr, gg, bb := color.YCbCrToRGB(s.ycc.Y[yi], s.ycc.Cb[ci], s.ycc.Cr[ci])
		return float64(rr), float64(gg), float64(bb)
	case s.gray != nil:
		v := float64(s.gray.Pix[s.gray.PixOffset(x, y)])
		return v, v, v
	}
	c := color.RGBAModel.Convert(s.img.At(x, y)).(color.RGBA)
	return float64(c.R), float64(c.G), float64(c.B)
}

// at returns the RGB channels (0–255) at a real position, by bilinear
// sampling, clamped to the image.
func (s sampler) at(x, y float64) (r, g, b float64) {
	bd := s.b
	x = math.Max(float64(bd.Min.X), math.Min(float64(bd.Max.X-1), x))
	y = math.Max(float64(bd.Min.Y), math.Min(float64(bd.Max.Y-1), y))
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, bd.Max.X-1), min(y0+1, bd.Max.Y-1)
	ax, ay := x-float64(x0), y-float64(y0)
	r00, g00, b00 := s.px(x0, y0)
	r10, g10, b10 := s.px(x1, y0)
	r01, g01, b01 := s.px(x0, y1)
	r11, g11, b11 := s.px(x1, y1)
	mix := func(a, b, c, d float64) float64 { return (a*(1-ax)+b*ax)*(1-ay) + (c*(1-ax)+d*ax)*ay }
	return mix(r00, r10, r01, r11), mix(g00, g10, g01, g11), mix(b00, b10, b01, b11)
}

// Detect finds the faces of img, best first. The image is scaled to fit
// the detector's 320×240 input with its aspect ratio kept (the rest is
// padded grey), so portrait selfies are not squeezed.
func (e *Engine) Detect(img image.Image) ([]Face, error) {
	px := newSampler(img)
	const w, h = 320, 240
	bd := img.Bounds()
	sc := math.Max(float64(bd.Dx())/w, float64(bd.Dy())/h) // source pixels per input pixel
	data := make([]float32, 3*w*h)
	for y := 0; y < h; y++ {
		sy := (float64(y)+0.5)*sc - 0.5
		for x := 0; x < w; x++ {
			sx := (float64(x)+0.5)*sc - 0.5
			if sx > float64(bd.Dx()) || sy > float64(bd.Dy()) {
				continue // padding: (127-127)/128 = 0
			}
			r, g, b := px.at(float64(bd.Min.X)+sx, float64(bd.Min.Y)+sy)
			i := y*w + x
			data[i], data[w*h+i], data[2*w*h+i] = float32((r-127)/128), float32((g-127)/128), float32((b-127)/128)
		}
	}
	out, err := e.detect.run([]int64{1, 3, h, w}, data)
	if err != nil {
		return nil, err
	}
	scores, boxes := out[0], out[1]
	type cand struct {
		x1, y1, x2, y2, s float64
	}
	var cands []cand
	fw, fh := w*sc, h*sc // the input's extent in source pixels
	for i := 0; i < len(scores)/2; i++ {
		s := float64(scores[2*i+1])
		if s < MinScore {
			continue
		}
		cands = append(cands, cand{float64(boxes[4*i]) * fw, float64(boxes[4*i+1]) * fh,
			float64(boxes[4*i+2]) * fw, float64(boxes[4*i+3]) * fh, s})
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].s > cands[j].s })
	var kept []cand
	for _, c := range cands {
		ok := true
		for _, k := range kept {
			if iou(c.x1, c.y1, c.x2, c.y2, k.x1, k.y1, k.x2, k.y2) > 0.4 {
				ok = false
				break
			}
		}
		if ok {
			kept = append(kept, c)
		}
	}
	faces := make([]Face, 0, len(kept))
	for _, k := range kept {
		box := image.Rect(bd.Min.X+int(k.x1), bd.Min.Y+int(k.y1), bd.Min.X+int(k.x2), bd.Min.Y+int(k.y2)).Intersect(bd)
		if box.Empty() {
			continue
		}
		f := Face{Box: box, Score: math.Round(k.s*1000) / 1000}
		if f.Landmarks, f.eyes, err = e.landmarks(img, box); err != nil {
			return nil, err
		}
		faces = append(faces, f)
	}
	return faces, nil
}

func iou(a1, b1, a2, b2, c1, d1, c2, d2 float64) float64 {
	ix := math.Max(0, math.Min(a2, c2)-math.Max(a1, c1))
	iy := math.Max(0, math.Min(b2, d2)-math.Max(b1, d1))
	inter := ix * iy
	union := (a2-a1)*(b2-b1) + (c2-c1)*(d2-d1) - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// landmarks predicts 68 points in the face box (64×64 grey) and reduces
// them to 5: eye centres, nose tip, mouth corners.
func (e *Engine) landmarks(img image.Image, box image.Rectangle) ([5][2]float64, [2]image.Rectangle, error) {
	px := newSampler(img)
	const n = 64
	data := make([]float32, n*n)
	bw, bh := float64(box.Dx()), float64(box.Dy())
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			r, g, b := px.at(float64(box.Min.X)+(float64(x)+0.5)*bw/n-0.5, float64(box.Min.Y)+(float64(y)+0.5)*bh/n-0.5)
			data[y*n+x] = float32((0.299*r + 0.587*g + 0.114*b) / 256)
		}
	}
	out, err := e.landmark.run([]int64{1, 1, n, n}, data)
	if err != nil {
		return [5][2]float64{}, [2]image.Rectangle{}, err
	}
	p := out[0]
	pt := func(i int) (float64, float64) {
		return float64(p[2*i])*bw + float64(box.Min.X), float64(p[2*i+1])*bh + float64(box.Min.Y)
	}
	avg := func(idx ...int) [2]float64 {
		var sx, sy float64
		for _, i := range idx {
			x, y := pt(i)
			sx, sy = sx+x, sy+y
		}
		return [2]float64{sx / float64(len(idx)), sy / float64(len(idx))}
	}
	// eye boxes: centred on the eye, 1.6 times its corner-to-corner width
	eye := func(c [2]float64, inner, outer int) image.Rectangle {
		x1, _ := pt(inner)
		x2, _ := pt(outer)
		half := math.Abs(x2-x1) * 1.6 / 2
		return image.Rect(int(c[0]-half), int(c[1]-half), int(c[0]+half), int(c[1]+half))
	}
	l, r := avg(37, 38, 40, 41), avg(43, 44, 46, 47)
	return [5][2]float64{l, r, avg(30), avg(48, 60), avg(54, 64)}, [2]image.Rectangle{eye(l, 36, 39), eye(r, 42, 45)}, nil
}

// EyesOpen returns the probability that each eye (left, right) is open,
// from fr_eye on 24×24 grey crops (p / 255).
func (e *Engine) EyesOpen(img image.Image, f Face) ([2]float64, error) {
	px := newSampler(img)
	var out [2]float64
	if e.eye == nil {
		return out, errors.New("eye model not loaded")
	}
	const n = 24
	for k, box := range f.eyes {
		if box.Dx() < 4 {
			return out, errors.New("eye too small")
		}
		data := make([]float32, n*n)
		bw, bh := float64(box.Dx()), float64(box.Dy())
		for y := 0; y < n; y++ {
			for x := 0; x < n; x++ {
				r, g, b := px.at(float64(box.Min.X)+(float64(x)+0.5)*bw/n-0.5, float64(box.Min.Y)+(float64(y)+0.5)*bh/n-0.5)
				data[y*n+x] = float32((0.299*r + 0.587*g + 0.114*b) / 255)
			}
		}
		res, err := e.eye.run([]int64{1, 1, n, n}, data)
		if err != nil {
			return out, err
		}
		a, b := float64(res[0][0]), float64(res[0][1])
		m := math.Max(a, b)
		pa, pb := math.Exp(a-m), math.Exp(b-m)
		out[k] = pb / (pa + pb) // class 1: open (calibrated on open-eyed faces, see the tests)
	}
	return out, nil
}

// reference is the ArcFace 112×112 template of the five points.
var reference = [5][2]float64{{38.2946, 51.6963}, {73.5318, 51.5014}, {56.0252, 71.7366}, {41.5493, 92.3655}, {70.7299, 92.2041}}

// Align returns the face warped onto the ArcFace 112×112 template by the
// least-squares similarity transform of its five points (the crop that is
// embedded, and the one kept as evidence).
func Align(img image.Image, f Face) (*image.RGBA, error) {
	px := newSampler(img)
	a, b, tx, ty := similarity(f.Landmarks, reference)
	// inverse map: template point (u,v) -> image point
	det := a*a + b*b
	if det == 0 {
		return nil, errors.New("degenerate landmarks")
	}
	const n = 112
	out := image.NewRGBA(image.Rect(0, 0, n, n))
	for v := 0; v < n; v++ {
		for u := 0; u < n; u++ {
			du, dv := float64(u)-tx, float64(v)-ty
			r, g, bl := px.at((a*du+b*dv)/det, (-b*du+a*dv)/det)
			i := out.PixOffset(u, v)
			out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = uint8(r+0.5), uint8(g+0.5), uint8(bl+0.5), 255
		}
	}
	return out, nil
}

// Embed aligns the face to the template (Align) and returns its
// L2-normalised 512-d embedding.
func (e *Engine) Embed(img image.Image, f Face) ([]float32, error) {
	crop, err := Align(img, f)
	if err != nil {
		return nil, err
	}
	const n = 112
	data := make([]float32, 3*n*n)
	for i := 0; i < n*n; i++ {
		p := crop.Pix[4*i : 4*i+3 : 4*i+3]
		data[i], data[n*n+i], data[2*n*n+i] = (float32(p[0])-127)/128, (float32(p[1])-127)/128, (float32(p[2])-127)/128
	}
	out, err := e.feature.run([]int64{1, 3, n, n}, data)
	if err != nil {
		return nil, err
	}
	emb := out[0]
	var norm float64
	for _, v := range emb {
		norm += float64(v) * float64(v)
	}
	norm = math.Sqrt(norm)
	if norm == 0 {
		return nil, errors.New("empty embedding")
	}
	for i := range emb {
		emb[i] = float32(float64(emb[i]) / norm)
	}
	return emb, nil
}

// similarity fits dst ≈ [a -b; b a]·src + t (Umeyama without reflection).
func similarity(src, dst [5][2]float64) (a, b, tx, ty float64) {
	var mx, my, nx, ny float64
	for i := range src {
		mx, my = mx+src[i][0], my+src[i][1]
		nx, ny = nx+dst[i][0], ny+dst[i][1]
	}
	mx, my, nx, ny = mx/5, my/5, nx/5, ny/5
	var sxx, sxy, ss float64
	for i := range src {
		x, y := src[i][0]-mx, src[i][1]-my
		u, v := dst[i][0]-nx, dst[i][1]-ny
		sxx += x*u + y*v
		sxy += x*v - y*u
		ss += x*x + y*y
	}
	if ss == 0 {
		return 0, 0, 0, 0
	}
	a, b = sxx/ss, sxy/ss
	tx = nx - (a*mx - b*my)
	ty = ny - (b*mx + a*my)
	return a, b, tx, ty
}

// Cosine is the cosine similarity of two normalised embeddings.
func Cosine(x, y []float32) float64 {
	var s float64
	for i := range x {
		s += float64(x[i]) * float64(y[i])
	}
	return s
}

// Pose is a head pose in degrees (HopeNet-style bins of 3° from −99°).
type Pose struct {
	Yaw   float64 `json:"yaw"`
	Pitch float64 `json:"pitch"`
	Roll  float64 `json:"roll"`
}

// Pose estimates the head pose of a face: its box widened by a quarter on
// every side, 224×224 RGB with ImageNet normalisation.
func (e *Engine) Pose(img image.Image, f Face) (Pose, error) {
	px := newSampler(img)
	const n = 224
	w, h := float64(f.Box.Dx()), float64(f.Box.Dy())
	x0, y0 := float64(f.Box.Min.X)-w/4, float64(f.Box.Min.Y)-h/4
	cw, ch := w*1.5, h*1.5
	mean, std := [3]float64{0.485, 0.456, 0.406}, [3]float64{0.229, 0.224, 0.225}
	data := make([]float32, 3*n*n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			r, g, b := px.at(x0+(float64(x)+0.5)*cw/n-0.5, y0+(float64(y)+0.5)*ch/n-0.5)
			i := y*n + x
			data[i] = float32((r/255 - mean[0]) / std[0])
			data[n*n+i] = float32((g/255 - mean[1]) / std[1])
			data[2*n*n+i] = float32((b/255 - mean[2]) / std[2])
		}
	}
	out, err := e.pose.run([]int64{1, 3, n, n}, data)
	if err != nil {
		return Pose{}, err
	}
	angle := func(logits []float32) float64 {
		mx := math.Inf(-1)
		for _, v := range logits {
			mx = math.Max(mx, float64(v))
		}
		var sum, exp float64
		for i, v := range logits {
			p := math.Exp(float64(v) - mx)
			sum += p
			exp += p * float64(i)
		}
		return math.Round((exp/sum*3-99)*10) / 10
	}
	return Pose{Yaw: angle(out[0]), Pitch: angle(out[1]), Roll: angle(out[2])}, nil
}

// Passive is fr_liveness's probability (0–1) that the face is a live
// capture rather than a recapture of a photo, print or screen: its box
// widened 2.7 times (shifted to stay inside the image), 128×128 RGB at
// 0–255, softmax, class 0. It is a single-frame model with many false
// alarms (crowded frames, poor light), so openkyc stores it as an advisory
// signal and never decides on it.
func (e *Engine) Passive(img image.Image, f Face) (float64, error) {
	if e.live == nil {
		return 0, errors.New("liveness model not loaded")
	}
	px := newSampler(img)
	const n, scale = 128, 2.7
	bd := img.Bounds()
	w, h := float64(f.Box.Dx()), float64(f.Box.Dy())
	sc := math.Min(scale, math.Min(float64(bd.Dy()-1)/h, float64(bd.Dx()-1)/w))
	cw, ch := w*sc, h*sc
	cx, cy := float64(f.Box.Min.X)+w/2, float64(f.Box.Min.Y)+h/2
	x0 := math.Max(float64(bd.Min.X), math.Min(float64(bd.Max.X-1)-cw, cx-cw/2))
	y0 := math.Max(float64(bd.Min.Y), math.Min(float64(bd.Max.Y-1)-ch, cy-ch/2))
	data := make([]float32, 3*n*n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			r, g, b := px.at(x0+(float64(x)+0.5)*cw/n-0.5, y0+(float64(y)+0.5)*ch/n-0.5)
			i := y*n + x
			data[i], data[n*n+i], data[2*n*n+i] = float32(r), float32(g), float32(b)
		}
	}
	out, err := e.live.run([]int64{1, 3, n, n}, data)
	if err != nil {
		return 0, err
	}
	return softmax(out[0])[0], nil
}

func softmax(logits []float32) []float64 {
	mx := math.Inf(-1)
	for _, v := range logits {
		mx = math.Max(mx, float64(v))
	}
	p := make([]float64, len(logits))
	var sum float64
	for i, v := range logits {
		p[i] = math.Exp(float64(v) - mx)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}
