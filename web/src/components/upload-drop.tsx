import { useEffect, useId, useRef, useState, type DragEvent } from 'react';
import { formatBytes } from '../format.ts';
import '../pages/folium.css';

/** What UploadDrop needs: the labels the page names it by, the chosen file, and what to do with a new one. */
export interface UploadDropProps {
  /** Label of the file input ("Notebook file", "New version file"). */
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
 * A drop zone and a file input for one notebook. The zone is a real button, so keyboard users reach it
 * with Tab and open the file chooser with Enter or Space; dropping a file on it does the same as choosing
 * one. The labelled input stays visible for those who prefer it (and for tests that set files on it).
 */
export const UploadDrop = ({
  inputLabel,
  zoneLabel = 'Drop a notebook here or choose a file',
  file,
  onFile,
  disabled = false,
  errorId,
}: UploadDropProps) => {
  const inputId = useId();
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
    // The input then shows the dropped file too, so both controls tell the same story.
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
        className={`drop-zone${over ? ' drop-zone-over' : ''}`}
        disabled={disabled}
        onClick={() => input.current?.click()}
        onDragOver={onDragOver}
        onDragEnter={onDragOver}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        {zoneLabel}
      </button>
      <div className="field">
        <label htmlFor={inputId}>{inputLabel}</label>
        <input
          ref={input}
          id={inputId}
          type="file"
          accept=".ipynb,application/x-ipynb+json,application/json"
          disabled={disabled}
          aria-invalid={errorId ? true : undefined}
          aria-describedby={errorId}
          onChange={(event) => onFile(event.target.files?.[0] ?? null)}
        />
        <p className="hint file-chosen" aria-live="polite">
          {file ? `${file.name}, ${formatBytes(file.size)}` : 'No file chosen yet.'}
        </p>
      </div>
    </div>
  );
};
