// instanceType and instanceCount. Managed online deployments take Azure VM sizes
// ('Standard_DS3_v2', 'Standard_F4s_v2', 'Standard_NC24ads_A100_v4'); the format is checked here so a
// typo fails before anything is created, whether the size is offered in the region is Azure's answer.
import { InputError } from '../../shared/src/inputs';

const VM_SIZE = /^Standard_[A-Z]{1,4}\d{1,3}(-\d{1,3})?[a-z]*(_[A-Z]\d{2,3}[a-z]*)?(_v\d{1,2})?$/i;

export function instanceType(value: string, input = 'instanceType'): string {
  const v = value.trim();
  if (!VM_SIZE.test(v)) throw new InputError(input, `'${v.slice(0, 64)}' is not an Azure VM size`, "a size such as 'Standard_DS3_v2' or 'Standard_F4s_v2'");
  return v;
}

export function instanceCount(value: string | undefined, input = 'instanceCount', defaultValue = 1): number {
  if (value === undefined || value.trim() === '') return defaultValue;
  const n = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InputError(input, `'${value.trim().slice(0, 32)}' is not a whole number of instances`, 'an integer of 1 or more');
  return n;
}
