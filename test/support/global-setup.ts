// Filled in as shared services (Azurite) are added; each test file starts the
// fakes it needs itself otherwise.
export default function setup(): void {}
