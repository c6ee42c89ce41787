// playwright-core's declarations (the browser tests' driver) name four DOM types; this project
// compiles against Node's types only (no DOM lib, see src/ambient.d.ts), so they are declared here
// as opaque stand-ins. The tests never touch a DOM node from Node: they ask the page for text.
interface Node {
  readonly __domNode: never;
}
interface HTMLElement extends Node {
  readonly __htmlElement: never;
}
interface SVGElement extends Node {
  readonly __svgElement: never;
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no element names needed
interface HTMLElementTagNameMap {}
