package kyctest

import (
	"encoding/binary"
)

// What phones append after a JPEG's end-of-image marker, built byte by
// byte for tests (docfile's trailer classifier, the upload surfaces).

// MP4Box is an ISO base media box: a 32-bit length, the type, the payload.
func MP4Box(typ string, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(payload)))
	return append(append(b, typ[:4]...), payload...)
}

// MP4LargeBox is MP4Box with a 64-bit length (length field 1).
func MP4LargeBox(typ string, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, 1)
	b = append(b, typ[:4]...)
	b = binary.BigEndian.AppendUint64(b, uint64(16+len(payload)))
	return append(b, payload...)
}

// MotionPhotoVideo is a small MP4 file as a motion photo (Google Motion
// Photo, MicroVideo) appends it: ftyp, moov with a movie header, and an
// mdat of n bytes of stand-in video (a byte pattern that holds no zip, PDF
// or HTML marker).
func MotionPhotoVideo(n int) []byte {
	ftyp := MP4Box("ftyp", []byte("mp42\x00\x00\x00\x00isommp42"))
	mvhd := MP4Box("mvhd", make([]byte, 100))
	moov := MP4Box("moov", mvhd)
	mdat := make([]byte, n)
	for i := range mdat {
		mdat[i] = byte(i*7 + i>>9 + 3)
	}
	return append(append(ftyp, moov...), MP4Box("mdat", mdat)...)
}

// SEFBlock is one block of Samsung's trailer.
type SEFBlock struct {
	Type uint16 // 0x0a30 MotionPhoto_Data, 0x0a01 Image_UTC_Data, ...
	Name string
	Data []byte
}

// SamsungTrailer is Samsung's trailer holding the blocks: each block
// ("\0\0", type, name length, name, data), then the SEFH directory (version,
// count, per block its first 4 bytes, its distance back from the directory
// and its size), the directory's length and "SEFT"; little-endian.
func SamsungTrailer(blocks ...SEFBlock) []byte {
	var out []byte
	type at struct{ pos, size int }
	var spans []at
	for _, b := range blocks {
		start := len(out)
		out = append(out, 0, 0)
		out = binary.LittleEndian.AppendUint16(out, b.Type)
		out = binary.LittleEndian.AppendUint32(out, uint32(len(b.Name)))
		out = append(append(out, b.Name...), b.Data...)
		spans = append(spans, at{start, len(out) - start})
	}
	dirPos := len(out)
	dir := []byte("SEFH")
	dir = binary.LittleEndian.AppendUint32(dir, 106)
	dir = binary.LittleEndian.AppendUint32(dir, uint32(len(blocks)))
	for i, b := range blocks {
		dir = append(dir, 0, 0)
		dir = binary.LittleEndian.AppendUint16(dir, b.Type)
		dir = binary.LittleEndian.AppendUint32(dir, uint32(dirPos-spans[i].pos))
		dir = binary.LittleEndian.AppendUint32(dir, uint32(spans[i].size))
	}
	out = append(out, dir...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(dir)))
	return append(out, "SEFT"...)
}

// SamsungMotionPhoto is Samsung's trailer of a motion photo: the video in
// a MotionPhoto_Data block, and a capture time block.
func SamsungMotionPhoto(video []byte) []byte {
	return SamsungTrailer(
		SEFBlock{Type: 0x0a30, Name: "MotionPhoto_Data", Data: video},
		SEFBlock{Type: 0x0a01, Name: "Image_UTC_Data", Data: []byte("1714567890123")},
	)
}
