// structured-headers' declarations name the DOM type `BufferSource`; this package compiles
// against Node's types only (no DOM lib), so the alias is declared here with its DOM meaning.
type BufferSource = ArrayBufferView | ArrayBuffer;
