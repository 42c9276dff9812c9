// Reads which dialogs are active from saved dialog state, without running them (to know, before routing a
// message, that a password form is waiting: typed text then is very likely a password typed in the wrong place).
interface SavedInstance {
  id: string;
  state?: { dialogs?: { dialogStack?: SavedInstance[] } };
}

/** Dialog ids from the outermost active dialog to the innermost. */
export function activeDialogPath(dialogState: { dialogStack?: SavedInstance[] } | undefined): string[] {
  const path: string[] = [];
  let stack = dialogState?.dialogStack;
  while (stack && stack.length > 0) {
    const top = stack[stack.length - 1]!;
    path.push(top.id);
    stack = top.state?.dialogs?.dialogStack;
  }
  return path;
}

/** The prompt that waits for the masked password card (see registerDialog.ts). */
export const PASSWORD_PROMPT_ID = 'register.password';
