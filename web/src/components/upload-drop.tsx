import { useEffect, useId, useRef, useState, type DragEvent } from 'react';
import { formatBytes } from '../format.ts';
import '../pages/folium.css';

/** What UploadDrop needs: the labels the page names it by, the chosen file, and what to do with a new one. */
export interface UploadDropProps {
  /** Name of the hidden file input ("Notebook file", "New version file"), by which tests set a file. */
  inputLabel: string;
  /** Text (and so the accessible name) of the drop zone, which also opens the file chooser. */
  zoneLabel?: string;
  file: File | null;
  onFile: (file: File | null) => void;
  disabled?: boolean;
  /** Id of an element describing a problem with the file (the page's error beside the field). */
  errorId?: string;
}

/**
 * One control for one notebook file: a drop zone that is a real button (Tab reaches it, Enter or Space opens the file
 * chooser, dropping a file on it chooses that file) and says which file is chosen. The native file input behind it is
 * hidden and out of the tab order; it keeps `inputLabel` as its name for tests that set files on it.
 */
export const UploadDrop = ({
  inputLabel,
  zoneLabel = 'Drop a notebook here or choose a file',
  file,
  onFile,
  disabled = false,
  errorId,
}: UploadDropProps) => {
  const zoneId = useId();
  const chosenId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  useEffect(() => {
    if (!file && input.current) input.current.value = '';
  }, [file]);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    const dropped = event.dataTransfer.files[0];
    if (disabled || !dropped) return;
    // The input then holds the dropped file too, so a form reading it sees the same file.
    if (input.current) input.current.files = event.dataTransfer.files;
    onFile(dropped);
  };
  const onDragOver = (event: DragEvent) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = disabled ? 'none' : 'copy';
    setOver(true);
  };

  return (
    <div className="upload-drop">
      <button
        type="button"
        className={`drop-zone${over ? ' drop-zone-over' : ''}${file ? ' drop-zone-chosen' : ''}`}
        disabled={disabled}
        aria-labelledby={zoneId}
        aria-describedby={[chosenId, errorId].filter(Boolean).join(' ')}
        onClick={() => input.current?.click()}
        onDragOver={onDragOver}
        onDragEnter={onDragOver}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <span id={zoneId}>{zoneLabel}</span>
        <span id={chosenId} className="file-chosen small" aria-live="polite">
          {file ? `Chosen: ${file.name}, ${formatBytes(file.size)}` : 'No file chosen yet'}
        </span>
      </button>
      {/* Hidden from assistive technology too: the drop zone is the one control, and it opens this chooser. */}
      <input
        ref={input}
        type="file"
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        aria-label={inputLabel}
        accept=".ipynb,application/x-ipynb+json,application/json"
        disabled={disabled}
        onChange={(event) => onFile(event.target.files?.[0] ?? null)}
      />
    </div>
  );
};
