import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { allowedFieldPaths, parseFields, project } from './sparse-fields';
import { ShapingInputError } from './shaping.errors';

class PriceDto {
  @ApiProperty() amount!: number;
  @ApiProperty() currency!: string;
}
class TagDto {
  @ApiProperty() label!: string;
}
class ItemDto {
  @ApiProperty() id!: string;
  @ApiProperty({ type: () => PriceDto }) price!: PriceDto;
  @ApiProperty({ type: () => [TagDto] }) tags!: TagDto[];
  @ApiPropertyOptional() note?: string;
}

describe('sparse fieldsets', () => {
  it('derives the allowed paths from the DTO, nested and array types included', () => {
    expect([...allowedFieldPaths(ItemDto)]).toEqual([
      'id',
      'price',
      'price.amount',
      'price.currency',
      'tags',
      'tags.label',
      'note',
    ]);
  });

  it('projects objects and arrays to the requested fields', () => {
    const tree = parseFields('id,price.amount,tags.label', ItemDto);
    expect(tree).toEqual({ id: true, price: { amount: true }, tags: { label: true } });
    const item = {
      id: 'a',
      price: { amount: 1, currency: 'EUR' },
      tags: [{ label: 'x', extra: 1 }],
      note: 'n',
    };
    expect(project(item, tree!)).toEqual({ id: 'a', price: { amount: 1 }, tags: [{ label: 'x' }] });
    expect(project([item], { id: true })).toEqual([{ id: 'a' }]);
    // A whole field wins over one of its parts.
    expect(parseFields('price,price.amount', ItemDto)).toEqual({ price: true });
    expect(parseFields(undefined, ItemDto)).toBeUndefined();
  });

  it('refuses unknown fields with a 400 listing the allowed ones', () => {
    expect(() => parseFields('id,secret', ItemDto)).toThrow(ShapingInputError);
    expect(() => parseFields('id,secret', ItemDto)).toThrow(
      /Unknown field\(s\) "secret"; allowed: id, price/,
    );
    expect(() => parseFields('price.nope', ItemDto)).toThrow(/"price.nope"/);
    expect(() => parseFields('__proto__', ItemDto)).toThrow(ShapingInputError);
    expect(() => parseFields(['id', 'note'], ItemDto)).toThrow(/given once/);
  });
});
