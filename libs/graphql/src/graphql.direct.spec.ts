import { type CanActivate, UseGuards, UsePipes, ValidationPipe } from '@nestjs/common';
import {
  Args,
  ArgsType,
  Context,
  Field,
  Info,
  Int,
  ObjectType,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { directResolvers } from './graphql.direct';

class DenyAll implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

@ArgsType()
class PageArgs {
  @Field(() => Int)
  first = 1;
}

@Resolver('Thing')
class ThingResolver {
  readonly prefix = 'thing';

  @Query(() => String)
  thing(@Args('id') id: string, @Context() ctx: { user: string }): string {
    return `${this.prefix} ${id} for ${ctx.user}`;
  }

  @Query(() => String, { name: 'renamed' })
  plain(): string {
    return this.prefix;
  }

  @Query(() => String)
  @UseGuards(DenyAll)
  guarded(): string {
    return 'guarded';
  }

  @Query(() => String)
  @UsePipes(new ValidationPipe())
  piped(): string {
    return 'piped';
  }

  @Query(() => String)
  paged(@Args() page: PageArgs): string {
    return String(page.first);
  }

  @Query(() => String)
  trimmed(@Args('id', { type: () => String }, new ValidationPipe()) id: string): string {
    return id;
  }

  @ResolveField(() => String)
  label(
    @Parent() parent: { name: string },
    @Args('suffix') suffix: string,
    @Info() info: { fieldName: string },
  ): string {
    return `${parent.name}${suffix} (${info.fieldName})`;
  }

  @ResolveField(() => String, { middleware: [(_ctx, next) => next()] })
  watched(@Parent() parent: { name: string }): string {
    return parent.name;
  }
}

@ObjectType('Gadget')
class GadgetModel {
  @Field()
  name!: string;
}

/** Typed by its model class, as the facade's resolvers are: the map key is the object type's name. */
@Resolver(() => GadgetModel)
class GadgetResolver {
  @ResolveField(() => String)
  shout(@Parent() gadget: GadgetModel): string {
    return gadget.name.toUpperCase();
  }
}

const nestWrapped = () => 'wrapped by Nest';

function explored(): Record<string, Record<string, (...args: unknown[]) => unknown>> {
  const fields = (names: string[]) => Object.fromEntries(names.map((n) => [n, nestWrapped]));
  return {
    Query: fields(['thing', 'renamed', 'guarded', 'piped', 'paged', 'trimmed']),
    Thing: fields(['label', 'watched']),
  };
}

describe('directResolvers', () => {
  const map = directResolvers(explored(), [new ThingResolver()]);

  it('calls a method with its declared arguments, context, parent and info', () => {
    expect(map.Query.thing(undefined, { id: 'a1' }, { user: 'u1' }, {})).toBe('thing a1 for u1');
    expect(
      map.Thing.label({ name: 'n' }, { suffix: '!' }, {}, { fieldName: 'label' } as never),
    ).toBe('n! (label)');
  });

  it('finds a field by its schema name and binds the instance', () => {
    expect(map.Query.renamed(undefined, {}, {}, {})).toBe('thing');
  });

  it("keeps Nest's wrapper where it has work: guards, pipes, input classes, field middleware", () => {
    for (const name of ['guarded', 'piped', 'paged', 'trimmed']) {
      expect(map.Query[name]).toBe(nestWrapped);
    }
    expect(map.Thing.watched).toBe(nestWrapped);
  });

  it("finds a field resolver of a model-typed resolver under the model's type name", () => {
    const typed = directResolvers(
      { Gadget: { shout: nestWrapped as (...args: unknown[]) => unknown } },
      [new GadgetResolver()],
    );
    expect(typed.Gadget.shout({ name: 'g' }, {}, {}, {})).toBe('G');
  });

  it('takes the list of maps @nestjs/graphql hands over', () => {
    const [listed] = directResolvers([explored()], [new ThingResolver()]);
    expect(listed.Query.thing(undefined, { id: 'a2' }, { user: 'u2' }, {})).toBe('thing a2 for u2');
    expect(listed.Query.guarded).toBe(nestWrapped);
  });

  it('leaves fields it has no method for alone', () => {
    const withExtra = { ...explored(), Other: { field: nestWrapped } };
    expect(directResolvers(withExtra, [new ThingResolver()]).Other.field).toBe(nestWrapped);
  });
});
