package face_test

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/openkyc/openkyc/internal/check/face"
)

// tensor encodes a TensorProto of the data type with the values as raw_data.
func tensor(dataType uint64, vals ...uint32) []byte {
	raw := make([]byte, 4*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint32(raw[4*i:], v)
	}
	var t []byte
	t = protowire.AppendTag(t, 1, protowire.VarintType) // dims
	t = protowire.AppendVarint(t, uint64(len(vals)))
	t = protowire.AppendTag(t, 2, protowire.VarintType)
	t = protowire.AppendVarint(t, dataType)
	t = protowire.AppendTag(t, 8, protowire.BytesType) // name
	t = protowire.AppendString(t, "w")
	t = protowire.AppendTag(t, 9, protowire.BytesType)
	return protowire.AppendBytes(t, raw)
}

func message(fields ...any) []byte {
	var b []byte
	for i := 0; i < len(fields); i += 2 {
		b = protowire.AppendTag(b, protowire.Number(fields[i].(int)), protowire.BytesType)
		b = protowire.AppendBytes(b, fields[i+1].([]byte))
	}
	return b
}

func TestFlushDenormals(t *testing.T) {
	t.Parallel()
	denormal := uint32(0x00000123)
	negDenormal := uint32(0x80400000)
	one := math.Float32bits(1)
	tiny := math.Float32bits(0x1p-126) // smallest normal: kept
	constant := message(5, message(1, []byte("value"), 5, tensor(1, denormal)))
	graph := message(
		1, constant,
		5, tensor(1, denormal, one, negDenormal, tiny, 0),
		5, tensor(7, denormal), // INT64 data is not touched
	)
	model := message(7, graph)
	n, err := face.FlushDenormals(model)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	// a second pass finds nothing left
	n, err = face.FlushDenormals(model)
	require.NoError(t, err)
	require.Zero(t, n)
	require.Contains(t, string(model), string(binary.LittleEndian.AppendUint32(nil, 0x80000000))) // sign kept
	require.Contains(t, string(model), string(binary.LittleEndian.AppendUint32(nil, tiny)))

	_, err = face.FlushDenormals([]byte{0x3a, 0x10, 0x01}) // graph field longer than the data
	require.Error(t, err)
}

func FuzzFlushDenormals(f *testing.F) {
	f.Add(message(7, message(5, tensor(1, 0x123, 0x3f800000))))
	f.Add([]byte{0x3a, 0x02, 0x2a, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		before := len(b)
		_, _ = face.FlushDenormals(b)
		require.Len(t, b, before)
	})
}
