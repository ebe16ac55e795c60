package kyctest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"sync"
)

// PixelBombPNG is a PNG of w×h pixels of all-zero RGBA: 16 bits per channel
// when deep (8 bytes a pixel decoded), 8 otherwise; interlaced with Adam7
// when asked. Its rows are compressed as they are made, so a 6300×6300
// 16-bit bomb (317 MB decoded) takes ~320 KB and never exists decoded here.
func PixelBombPNG(w, h int, deep, interlaced bool) []byte {
	key := [4]int{w, h, b2i(deep), b2i(interlaced)}
	bombsMu.Lock()
	defer bombsMu.Unlock()
	if b, ok := bombs[key]; ok {
		return b
	}
	depth, bpp := byte(8), 4
	if deep {
		depth, bpp = 16, 8
	}
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = depth, 6 // RGBA
	if interlaced {
		ihdr[12] = 1
	}
	chunk(&buf, "IHDR", ihdr)
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	row := make([]byte, 1+w*bpp) // filter byte 0, zero pixels
	if interlaced {
		for _, p := range adam7 {
			pw, ph := (w-p[0]+p[2]-1)/p[2], (h-p[1]+p[3]-1)/p[3]
			if pw <= 0 || ph <= 0 {
				continue
			}
			for y := 0; y < ph; y++ {
				_, _ = zw.Write(row[:1+pw*bpp])
			}
		}
	} else {
		for y := 0; y < h; y++ {
			_, _ = zw.Write(row)
		}
	}
	_ = zw.Close()
	chunk(&buf, "IDAT", z.Bytes())
	chunk(&buf, "IEND", nil)
	bombs[key] = buf.Bytes()
	return buf.Bytes()
}

// adam7 is each pass's x, y offset and x, y step.
var adam7 = [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}

var (
	bombsMu sync.Mutex
	bombs   = map[[4]int][]byte{}
)

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func chunk(buf *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	buf.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	buf.WriteString(typ)
	buf.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	buf.Write(n[:])
}
