// Filled in as shared services are added; each test file starts the fakes it
// needs itself.
export default function setup(): void {}
