// A validator for what Teams Workflows webhooks accept: Adaptive Cards 1.4.
// It checks required fields and known types recursively and refuses what came
// later (Table is 1.5), because Teams drops a card it cannot render rather
// than showing part of it. Stricter than the schema where the brief is
// (body, Column.items, Action.OpenUrl.title are required here).

type Json = Record<string, unknown>;

const ELEMENTS = new Set([
  "TextBlock",
  "RichTextBlock",
  "Image",
  "ImageSet",
  "Media",
  "Container",
  "ColumnSet",
  "FactSet",
  "ActionSet",
  "Input.Text",
  "Input.Number",
  "Input.Date",
  "Input.Time",
  "Input.Toggle",
  "Input.ChoiceSet",
]);

const ACTIONS = new Set([
  "Action.OpenUrl",
  "Action.Submit",
  "Action.ShowCard",
  "Action.ToggleVisibility",
  "Action.Execute",
]);

/** Types and properties introduced after 1.4 that a 1.4 host refuses or ignores. */
const NEWER_TYPES: Record<string, string> = {
  Table: "1.5",
  TableRow: "1.5",
  TableCell: "1.5",
  Icon: "1.5+ (Teams)",
  Badge: "1.5+ (Teams)",
  Carousel: "1.6",
  CompoundButton: "1.5+ (Teams)",
  "Input.Rating": "1.6",
  Rating: "1.6",
  ProgressBar: "1.5+ (Teams)",
  ProgressRing: "1.5+ (Teams)",
  "Action.ResetInputs": "1.5+ (Teams)",
};
const NEWER_PROPERTIES: Record<string, string> = {
  rtl: "1.5",
  tooltip: "1.5",
  isEnabled: "1.5",
  mode: "1.5",
  metadata: "1.6",
  role: "1.6",
  targetWidth: "1.6",
  layouts: "1.6+",
  "grid.area": "1.6+",
  showBorder: "1.6+",
  roundedCorners: "1.6+",
  menuActions: "1.6+",
};

const ENUMS: Record<string, readonly string[]> = {
  color: ["default", "dark", "light", "accent", "good", "warning", "attention"],
  size: ["default", "small", "medium", "large", "extralarge"],
  weight: ["default", "lighter", "bolder"],
  fontType: ["default", "monospace"],
  spacing: ["default", "none", "small", "medium", "large", "extralarge", "padding"],
  horizontalAlignment: ["left", "center", "right"],
};
const CONTAINER_STYLES = ["default", "emphasis", "good", "attention", "warning", "accent"];

/** Problems with `card` as an Adaptive Card 1.4; empty when it is valid. */
export function validateAdaptiveCard14(card: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(card)) return ["card: must be an object"];
  if (card.type !== "AdaptiveCard")
    problems.push(`card.type: must be "AdaptiveCard", got ${show(card.type)}`);
  if (typeof card.version !== "string") problems.push("card.version: required string");
  else if (!versionAtMost(card.version, [1, 4]))
    problems.push(`card.version: ${card.version} is newer than 1.4`);
  checkCardContents(card, "card", problems);
  return problems;
}

/** The Teams Workflows envelope around one Adaptive Card, then the card itself. */
export function validateTeamsMessage(message: unknown): string[] {
  if (!isObject(message)) return ["message: must be an object"];
  const problems: string[] = [];
  if (message.type !== "message")
    problems.push(`message.type: must be "message", got ${show(message.type)}`);
  if (!Array.isArray(message.attachments) || message.attachments.length === 0) {
    return [...problems, "message.attachments: required non-empty array"];
  }
  message.attachments.forEach((attachment: unknown, i) => {
    const path = `message.attachments[${i}]`;
    if (!isObject(attachment)) return problems.push(`${path}: must be an object`);
    if (attachment.contentType !== "application/vnd.microsoft.card.adaptive") {
      problems.push(`${path}.contentType: must be "application/vnd.microsoft.card.adaptive"`);
    }
    problems.push(...validateAdaptiveCard14(attachment.content).map((p) => `${path}.content/${p}`));
  });
  return problems;
}

function checkCardContents(card: Json, path: string, problems: string[]): void {
  newerProperties(card, path, problems);
  if (!Array.isArray(card.body)) problems.push(`${path}.body: required array`);
  else card.body.forEach((e: unknown, i) => checkElement(e, `${path}.body[${i}]`, problems));
  if (card.actions !== undefined) checkActions(card.actions, `${path}.actions`, problems);
  if (card.selectAction !== undefined)
    checkAction(card.selectAction, `${path}.selectAction`, problems, false);
}

function checkElement(element: unknown, path: string, problems: string[]): void {
  if (!isObject(element)) return void problems.push(`${path}: must be an object`);
  const type = element.type;
  if (typeof type !== "string") return void problems.push(`${path}.type: required string`);
  if (type in NEWER_TYPES)
    return void problems.push(`${path}: ${type} is Adaptive Cards ${NEWER_TYPES[type]}, not 1.4`);
  if (!ELEMENTS.has(type)) return void problems.push(`${path}: unknown element type ${show(type)}`);
  newerProperties(element, path, problems);
  checkEnums(element, path, problems);
  if (element.selectAction !== undefined)
    checkAction(element.selectAction, `${path}.selectAction`, problems, false);

  switch (type) {
    case "TextBlock":
      requireString(element, "text", path, problems);
      if (element.style === "heading") problems.push(`${path}.style: "heading" is 1.5`);
      break;
    case "RichTextBlock":
      if (!Array.isArray(element.inlines)) problems.push(`${path}.inlines: required array`);
      else
        element.inlines.forEach((inline: unknown, i) => {
          if (typeof inline === "string") return;
          if (!isObject(inline) || inline.type !== "TextRun")
            problems.push(`${path}.inlines[${i}]: must be a string or a TextRun`);
          else requireString(inline, "text", `${path}.inlines[${i}]`, problems);
        });
      break;
    case "Image":
      requireString(element, "url", path, problems);
      break;
    case "ImageSet":
      if (!Array.isArray(element.images)) problems.push(`${path}.images: required array`);
      else
        element.images.forEach((image: unknown, i) => {
          if (!isObject(image) || image.type !== "Image")
            problems.push(`${path}.images[${i}]: must be an Image`);
          else checkElement(image, `${path}.images[${i}]`, problems);
        });
      break;
    case "Media":
      if (!Array.isArray(element.sources) || element.sources.length === 0)
        problems.push(`${path}.sources: required non-empty array`);
      else
        element.sources.forEach((source: unknown, i) => {
          if (!isObject(source)) return problems.push(`${path}.sources[${i}]: must be an object`);
          requireString(source, "url", `${path}.sources[${i}]`, problems);
        });
      break;
    case "Container":
      checkContainerStyle(element, path, problems);
      if (!Array.isArray(element.items)) problems.push(`${path}.items: required array`);
      else
        element.items.forEach((e: unknown, i) => checkElement(e, `${path}.items[${i}]`, problems));
      break;
    case "ColumnSet":
      checkContainerStyle(element, path, problems);
      if (!Array.isArray(element.columns)) problems.push(`${path}.columns: required array`);
      else
        element.columns.forEach((c: unknown, i) =>
          checkColumn(c, `${path}.columns[${i}]`, problems),
        );
      break;
    case "FactSet":
      if (!Array.isArray(element.facts)) problems.push(`${path}.facts: required array`);
      else
        element.facts.forEach((fact: unknown, i) => {
          if (!isObject(fact)) return problems.push(`${path}.facts[${i}]: must be an object`);
          requireString(fact, "title", `${path}.facts[${i}]`, problems);
          requireString(fact, "value", `${path}.facts[${i}]`, problems);
        });
      break;
    case "ActionSet":
      checkActions(element.actions, `${path}.actions`, problems);
      break;
    default:
      // Input.*: every input needs an id to be submitted under.
      requireString(element, "id", path, problems);
      if (type === "Input.ChoiceSet" && !Array.isArray(element.choices))
        problems.push(`${path}.choices: required array`);
  }
}

function checkColumn(column: unknown, path: string, problems: string[]): void {
  if (!isObject(column)) return void problems.push(`${path}: must be an object`);
  if (column.type !== "Column")
    problems.push(`${path}.type: must be "Column", got ${show(column.type)}`);
  newerProperties(column, path, problems);
  checkContainerStyle(column, path, problems);
  if (column.selectAction !== undefined)
    checkAction(column.selectAction, `${path}.selectAction`, problems, false);
  if (!Array.isArray(column.items)) problems.push(`${path}.items: required array`);
  else column.items.forEach((e: unknown, i) => checkElement(e, `${path}.items[${i}]`, problems));
}

function checkActions(actions: unknown, path: string, problems: string[]): void {
  if (!Array.isArray(actions)) return void problems.push(`${path}: required array`);
  actions.forEach((a: unknown, i) => checkAction(a, `${path}[${i}]`, problems, true));
}

function checkAction(
  action: unknown,
  path: string,
  problems: string[],
  showCardAllowed: boolean,
): void {
  if (!isObject(action)) return void problems.push(`${path}: must be an object`);
  const type = action.type;
  if (typeof type !== "string") return void problems.push(`${path}.type: required string`);
  if (type in NEWER_TYPES)
    return void problems.push(`${path}: ${type} is Adaptive Cards ${NEWER_TYPES[type]}, not 1.4`);
  if (!ACTIONS.has(type)) return void problems.push(`${path}: unknown action type ${show(type)}`);
  newerProperties(action, path, problems);
  switch (type) {
    case "Action.OpenUrl":
      requireString(action, "url", path, problems);
      requireString(action, "title", path, problems);
      break;
    case "Action.ShowCard":
      if (!showCardAllowed)
        problems.push(`${path}: Action.ShowCard is not allowed as a selectAction`);
      if (!isObject(action.card)) problems.push(`${path}.card: required object`);
      else checkCardContents(action.card, `${path}.card`, problems);
      break;
    case "Action.ToggleVisibility":
      if (!Array.isArray(action.targetElements))
        problems.push(`${path}.targetElements: required array`);
      break;
  }
}

function newerProperties(object: Json, path: string, problems: string[]): void {
  for (const key of Object.keys(object)) {
    if (key in NEWER_PROPERTIES)
      problems.push(`${path}.${key}: introduced in ${NEWER_PROPERTIES[key]}, not 1.4`);
  }
}

function checkEnums(element: Json, path: string, problems: string[]): void {
  for (const [key, allowed] of Object.entries(ENUMS)) {
    const value = element[key];
    if (value === undefined) continue;
    if (typeof value !== "string" || !allowed.includes(value.toLowerCase())) {
      problems.push(`${path}.${key}: ${show(value)} is not one of ${allowed.join(", ")}`);
    }
  }
}

function checkContainerStyle(element: Json, path: string, problems: string[]): void {
  const style = element.style;
  if (style === undefined || style === null) return;
  if (typeof style !== "string" || !CONTAINER_STYLES.includes(style.toLowerCase())) {
    problems.push(`${path}.style: ${show(style)} is not one of ${CONTAINER_STYLES.join(", ")}`);
  }
}

function requireString(object: Json, key: string, path: string, problems: string[]): void {
  if (typeof object[key] !== "string") problems.push(`${path}.${key}: required string`);
}

function versionAtMost(version: string, max: [number, number]): boolean {
  const match = /^(\d+)\.(\d+)$/.exec(version);
  if (!match) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major < max[0] || (major === max[0] && minor <= max[1]);
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
