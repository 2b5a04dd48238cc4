// The camera as a scanner: the back camera's video, read a few times a
// second by the browser's own BarcodeDetector (Chrome on Android, Safari on
// iOS 17+ ...). Where there is none the page offers only the text field,
// which a handheld scanner can type into as well.
import { useEffect, useRef, useState } from 'react';

interface DetectedBarcode {
  rawValue: string;
}

interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<DetectedBarcode[]>;
}

type BarcodeDetectorCtor = new (options?: { formats?: string[] }) => BarcodeDetectorLike;

function detectorClass(): BarcodeDetectorCtor | null {
  if (typeof window === 'undefined' || !('BarcodeDetector' in window)) return null;
  return (window as unknown as { BarcodeDetector: BarcodeDetectorCtor }).BarcodeDetector;
}

/** Whether this browser can scan with its camera at all (the API exists). */
export function cameraScanning(): boolean {
  return detectorClass() !== null;
}

const SCAN_EVERY_MS = 200;

export function CameraScanner({ disabled, onCode }: { disabled: boolean; onCode: (code: string) => void }) {
  const [on, setOn] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  // The latest callback, without restarting the camera when it changes.
  const onCodeRef = useRef(onCode);
  useEffect(() => {
    onCodeRef.current = onCode;
  }, [onCode]);

  useEffect(() => {
    if (!on || disabled) return;
    const Detector = detectorClass();
    const el = video.current;
    if (!Detector || !el) return;
    // An object, not a let: the async steps below read it after the cleanup has set it.
    const run: { stopped: boolean } = { stopped: false };
    const stopped = () => run.stopped;
    let stream: MediaStream | null = null;
    let timer = 0;
    const stop = () => {
      stream?.getTracks().forEach((t) => {
        t.stop();
      });
      stream = null;
    };

    void (async () => {
      if (!('mediaDevices' in navigator)) {
        setProblem('This browser gives no camera to this page (the page needs HTTPS). Type the code instead.');
        setOn(false);
        return;
      }
      let detector: BarcodeDetectorLike;
      try {
        detector = new Detector({ formats: ['qr_code'] });
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false });
      } catch (err) {
        const denied = err instanceof DOMException && err.name === 'NotAllowedError';
        setProblem(denied ? 'The camera was not allowed. Allow it in the browser’s settings, or type the code.' : 'The camera could not start. Type the code instead.');
        setOn(false);
        return;
      }
      if (stopped()) {
        stop();
        return;
      }
      el.srcObject = stream;
      await el.play().catch(() => undefined);
      const tick = async () => {
        if (stopped()) return;
        try {
          const found = await detector.detect(el);
          const first = found.find((b) => b.rawValue !== '');
          if (first && !stopped()) onCodeRef.current(first.rawValue);
        } catch {
          // a frame that could not be read: the next one will do
        }
        if (!stopped()) timer = window.setTimeout(() => void tick(), SCAN_EVERY_MS);
      };
      void tick();
    })();

    return () => {
      run.stopped = true;
      window.clearTimeout(timer);
      stop();
      el.srcObject = null;
    };
  }, [on, disabled]);

  return (
    <div>
      <div className={on && !disabled ? 'overflow-hidden rounded-xl bg-black' : 'hidden'}>
        <video ref={video} muted playsInline className="mx-auto aspect-square max-h-[50vh] w-full object-cover" />
      </div>
      <div className="mt-3 flex flex-wrap items-center gap-3">
        <button
          type="button"
          disabled={disabled}
          onClick={() => {
            setProblem(null);
            setOn((v) => !v);
          }}
          className="rounded-xl border border-slate-300 bg-white px-5 py-3 text-lg font-bold text-slate-900 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-60"
        >
          {on ? 'Stop the camera' : 'Scan with the camera'}
        </button>
        {on && !disabled && <span className="text-slate-600">Hold the ticket’s code in the square.</span>}
      </div>
      {problem && (
        <p role="alert" className="mt-2 text-sm font-medium text-rose-700">
          {problem}
        </p>
      )}
    </div>
  );
}
